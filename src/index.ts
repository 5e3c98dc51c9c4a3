/** Public embedding API. The broker (`startBroker`) arrives with the single-node broker issue. */
export { CodedError } from './common/errors.js';
