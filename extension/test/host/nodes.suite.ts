// The Nodes view lists the test agent as ready, with its capabilities, runtimes and models as children.
import * as assert from 'node:assert/strict';
import { api, connected, waitFor } from './helpers';

interface NodesPage {
  nodes: { id: string; hostname: string }[];
}

export function registerNodesSuite(): void {
  suite('nodes view', () => {
    test('lists the agent with its capabilities and models', async () => {
      const ext = await connected();
      const { nodes } = await api<NodesPage>('/api/v1/nodes');
      assert.ok(nodes.length > 0, 'the cluster has a node');
      const row = await waitFor('the agent in the Nodes view', async () =>
        (await ext.rows('orchion.nodes')).find(
          (r) => r.id === `node:${nodes[0]!.id}` && r.contextValue === 'node.ready',
        ),
      );
      assert.equal(row.label, nodes[0]!.hostname);
      const labels = (row.children ?? []).map((c) => c.label);
      for (const l of ['CPU', 'RAM', 'Runtimes', 'Models'])
        assert.ok(labels.includes(l), `${l} in ${labels.join(', ')}`);
      const runtimes = row.children!.find((c) => c.label === 'Runtimes')!;
      assert.match(runtimes.description ?? '', /embedded/);
      const models = row.children!.find((c) => c.label === 'Models')!;
      assert.ok(Number(models.description) >= 1, 'at least one model');
    });
  });
}
