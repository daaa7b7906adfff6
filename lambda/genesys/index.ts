/**
 * The Genesys Cloud adapter: a GenesysPort over the Platform API, its OAuth token provider and
 * its typed errors.
 */
export { GenesysClient, GenesysClientView, ANALYTICS_IDS_PER_QUERY, type GenesysClientOptions, type GenesysSession } from './client.js';
export { TokenProvider, renewalMarginMs, type ClientCredentials, type TokenProviderOptions, type TokenStats } from './token.js';
export { DEFAULT_RETRY_POLICY, emptyStats, type GenesysCallStats, type RetryPolicy } from './transport.js';
export {
  GenesysApiError,
  GenesysAuthError,
  GenesysBadRequestError,
  GenesysDeadlineError,
  GenesysInvalidResponseError,
  GenesysNotFoundError,
  GenesysPermissionError,
  GenesysRejectedError,
  GenesysThrottledError,
  GenesysUnavailableError,
  REQUIRED_PERMISSION,
  isGenesysApiError,
  type GenesysErrorContext,
  type GenesysErrorKind,
  type GenesysOperation,
} from './errors.js';
export { CAMPAIGN_IDS_PER_REQUEST, PERFORMANCE_IDS_PER_REQUEST } from './campaigns.js';
export { answeredWithinViewName } from './analytics.js';
