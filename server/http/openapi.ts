// Filled in by the OpenAPI work: every /api/v1 operation with its schemas.
export function openApiDocument(publicUrl: string) {
  return { openapi: '3.0.3', info: { title: 'Perpetua API', version: '1.0.0' }, servers: [{ url: `${publicUrl}/api/v1` }], paths: {} };
}
