/** traverse-odata: the public exports. */
export { ODataClient } from "./client.js";
export type { ODataClientOptions, ODataVersion, AuthOptions, BearerToken, RetryOptions } from "./options.js";
export {
  ODataClientError,
  ODataHttpError,
  AsyncOperationError,
  AsyncOperationFailedError,
  AsyncOperationCancelledError,
  AsyncOperationTimeoutError,
} from "./errors.js";
export type { ODataErrorDetail } from "./errors.js";
export type { AsyncPoller, AsyncPollerOptions } from "./lro/poller.js";
export type { AsyncPollerToken } from "./lro/token.js";
export type { PipelineStep, ODataRequest, SendRequest } from "./http/pipeline.js";
export { CollectionQuery } from "./query/query.js";
