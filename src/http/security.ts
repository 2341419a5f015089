/**
 * Who may call an operation, as OpenAPI `security` requirements. The schemes (in app.ts): `bearer`
 * (Authorization: Bearer <token>: a staff/owner login token or an order's manage token) and
 * `queryToken` (`?token=`, for the few URLs a browser opens without headers: the SSE stream, a QR
 * image, the order page's first read).
 */
type Requirement = Array<Record<string, string[]>>;

export const PUBLIC: Requirement = [];
/** Anyone; a credential shows more. */
export const OPTIONAL: Requirement = [{}, { bearer: [] }];
export const OWNER: Requirement = [{ bearer: [] }];
export const STAFF: Requirement = [{ bearer: [] }];
export const STAFF_OR_QUERY: Requirement = [{ bearer: [] }, { queryToken: [] }];
export const BUYER: Requirement = [{ bearer: [] }];
export const BUYER_OR_QUERY: Requirement = [{ bearer: [] }, { queryToken: [] }];
export const ANY_TOKEN: Requirement = [{ bearer: [] }, { queryToken: [] }];
/** The metrics token (VELVET_METRICS_TOKEN), as a bearer token. */
export const METRICS: Requirement = [{ bearer: [] }];
