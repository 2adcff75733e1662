// POST /api/v1/keys (the secret is in this answer only), GET /api/v1/keys, DELETE /api/v1/keys/:id (revoke).
// Admin token only (the API's auth hook): keys open the gateway, not the admin API.
import type { CreateKeyRequest, CreateKeyResponse, ListKeysResponse } from '@orchion/api';
import type { FastifyInstance } from 'fastify';
import { KeyError, type KeyRing } from '../../gateway/keys';
import { ApiError } from '../errors';

const apiError = (err: unknown): unknown =>
  err instanceof KeyError ? new ApiError(err.status, err.code, err.message) : err;

export function keyRoutes(app: FastifyInstance, { keys }: { keys: KeyRing }): void {
  app.post<{ Body: CreateKeyRequest }>('/api/v1/keys', async (req, reply) => {
    try {
      const created: CreateKeyResponse = keys.create(req.body);
      return reply.status(201).send(created);
    } catch (err) {
      throw apiError(err);
    }
  });

  app.get('/api/v1/keys', async (): Promise<ListKeysResponse> => ({ keys: keys.list() }));

  app.delete<{ Params: { id: string } }>('/api/v1/keys/:id', async (req) => {
    try {
      return keys.revoke(req.params.id);
    } catch (err) {
      throw apiError(err);
    }
  });
}
