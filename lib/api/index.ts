export { ApiError, API_ERROR_STATUS, type ApiErrorCode } from "./api-error";
export { ciphertextResponse, json, errorResponse } from "./respond";
export { route } from "./route";
