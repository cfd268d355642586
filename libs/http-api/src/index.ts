export { ApiErrorBody, ApiErrors, GENERIC_CODES } from './api-error';
export { ApiExceptionFilter } from './api-exception.filter';
export { HttpInputPipe } from './http-input.pipe';
export { IsOrgId, ORG_ID_MESSAGE } from './is-org-id';
export { openApiDocumentOf, serveOpenApi, toOpenApi31Schemas } from './openapi';
export type { OpenApiInfo } from './openapi';
export { OrgPath } from './org-path.dto';
export { withQuietStartup } from './quiet-startup.logger';
export { prettyTransportIfTty } from './pretty-logs';
