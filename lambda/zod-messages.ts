/**
 * zod's English messages for zod/mini, which ships none ("Invalid input" otherwise). Every module
 * with schemas imports this first, so operators read what is wrong with a field.
 *
 * The handler uses zod/mini rather than classic zod: classic zod cannot be tree-shaken and
 * would be about 95 KB of the Lambda bundle instead of about 30.
 */
import { en } from 'zod/locales';
import { config } from 'zod/mini';

config(en());
