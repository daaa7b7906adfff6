/**
 * The organisation's outbound settings (GET /api/v2/outbound/settings), reduced to the limits and
 * compliance rules pacing checks a campaign's configuration against.
 */
import type { OutboundSettings } from '../ports.js';
import { outboundSettingsSchema, parseBody } from './responses.js';

/**
 * Reads an OutboundSettings answer. maxCallsPerAgent prefers the decimal field, as for campaigns;
 * a field Genesys leaves out stays absent.
 *
 * @param body - the parsed JSON answer
 * @throws ResponseShapeError naming the field at fault
 */
export function readOutboundSettings(body: unknown): OutboundSettings {
  const parsed = parseBody(outboundSettingsSchema, body);
  const settings: OutboundSettings = {
    abandonSeconds: parsed.abandonSeconds ?? undefined,
    complianceAbandonRateDenominator: parsed.complianceAbandonRateDenominator ?? undefined,
    maxCallsPerAgent: parsed.maxCallsPerAgentDecimal ?? parsed.maxCallsPerAgent ?? undefined,
    maxConfigurableCallsPerAgent: parsed.maxConfigurableCallsPerAgent ?? undefined,
    maxLineUtilization: parsed.maxLineUtilization ?? undefined,
  };
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as OutboundSettings;
}
