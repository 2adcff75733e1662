// GET /api/v1/nodes, GET /api/v1/nodes/:id, DELETE /api/v1/nodes/:id
import { NODE_STATES, type ListNodesResponse, type NodeState } from '@orchion/api';
import type { FastifyInstance } from 'fastify';
import type { NodeRegistry } from '../../registry/registry';
import { badRequest, notFound } from '../errors';
import { toNodeView } from '../views';

export interface NodeRoutesDeps {
  registry: NodeRegistry;
  /** Called after a node was removed, so its live session (if any) is ended. */
  onRemoved(id: string): void;
}

const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 100;

export function nodeRoutes(app: FastifyInstance, { registry, onRemoved }: NodeRoutesDeps): void {
  app.get<{ Querystring: { state?: string; limit?: string; cursor?: string } }>(
    '/api/v1/nodes',
    async (req) => {
      const { state, cursor } = req.query;
      if (state !== undefined && !NODE_STATES.includes(state as NodeState)) {
        throw badRequest(`state must be one of ${NODE_STATES.join(', ')}`);
      }
      const limit = req.query.limit === undefined ? DEFAULT_LIMIT : Number(req.query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
        throw badRequest(`limit must be an integer from 1 to ${MAX_LIMIT}`);
      }
      const page = registry.list({
        state: state as NodeState | undefined,
        limit,
        cursor: cursor || undefined,
      });
      const body: ListNodesResponse = {
        nodes: page.nodes.map(toNodeView),
        nextCursor: page.nextCursor,
        total: page.total,
      };
      return body;
    },
  );

  app.get<{ Params: { id: string } }>('/api/v1/nodes/:id', async (req) => {
    const node = registry.get(req.params.id);
    if (!node) throw notFound(`node ${req.params.id}`);
    return toNodeView(node);
  });

  app.delete<{ Params: { id: string } }>('/api/v1/nodes/:id', async (req, reply) => {
    if (!registry.remove(req.params.id)) throw notFound(`node ${req.params.id}`);
    onRemoved(req.params.id);
    return reply.status(204).send();
  });
}
