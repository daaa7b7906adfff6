/**
 * The Genesys Cloud twin's public surface, for the controller runner and tests.
 */
export { startTwin, type RequestLogEntry, type Twin, type TwinOptions } from './emulator/server.js';
export { loadScenarioFile, parseScenario, ScenarioError, type FaultSettings, type Scenario } from './model/scenario.js';
export {
  ContactCentreSimulation,
  type CampaignChange,
  type CampaignLiveStats,
  type CampaignSettings,
  type QueueObservation,
} from './model/simulation.js';
export type { CampaignMinute, MinuteSample, QueueMinute } from './model/time-series.js';
export type { AnalyticsFact } from './model/analytics-log.js';
