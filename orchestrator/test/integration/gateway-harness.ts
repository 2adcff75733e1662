// A real orchestrator and real agents (embedded llama.cpp with the generated tiny model) for the gateway tests,
// each agent's data plane on a known loopback port so a test can look at the node (its /v1/status).
import { join } from 'node:path';
import { dataPlaneToken, type DataPlaneStatus } from '@orchion/proto';
import {
  cleanup,
  freePort,
  startAgentProc,
  startOrchestratorProc,
  tempDir,
  waitFor,
  type OrchestratorProc,
  type Proc,
} from './harness';

export interface GatewayAgent extends Proc {
  nodeId: string;
  dataPlaneUrl: string;
  /** The node's data-plane counters (what it runs, what was aborted). */
  status(): Promise<DataPlaneStatus>;
}

export interface GatewayCluster {
  orch: OrchestratorProc;
  agents: GatewayAgent[];
  /** The gateway's OpenAI base URL. */
  baseURL: string;
  addAgent(extra?: string[]): Promise<GatewayAgent>;
  stop(): void;
}

export async function startGatewayCluster(opts: {
  agents: number;
  orchestratorExtra?: string[];
  agentExtra?: string[];
}): Promise<GatewayCluster> {
  const dirs = [tempDir('orchion-gw-')];
  const procs: Proc[] = [];
  const orch = await startOrchestratorProc({
    dataDir: join(dirs[0]!, 'orch'),
    httpPort: await freePort(),
    grpcPort: await freePort(),
    extra: opts.orchestratorExtra,
  });
  procs.push(orch);
  const agents: GatewayAgent[] = [];
  const addAgent = async (extra: string[] = opts.agentExtra ?? []): Promise<GatewayAgent> => {
    const dataDir = join(dirs[0]!, `agent-${agents.length}`);
    const port = await freePort();
    const p = startAgentProc({
      orchestrator: orch.grpcAddress,
      joinToken: orch.joinToken,
      dataDir,
      extra: ['--data-plane-addr', `127.0.0.1:${port}`, ...extra],
    });
    procs.push(p);
    const nodeId = await waitFor(
      'agent registration',
      () => /Node (\S+) joined/.exec(p.output())?.[1],
      30_000,
    );
    const dataPlaneUrl = `http://127.0.0.1:${port}`;
    const authorization = `Bearer ${dataPlaneToken(orch.joinToken, nodeId)}`;
    const agent: GatewayAgent = {
      ...p,
      nodeId,
      dataPlaneUrl,
      status: async () => {
        const res = await fetch(`${dataPlaneUrl}/v1/status`, { headers: { authorization } });
        if (!res.ok) throw new Error(`data plane status ${res.status}`);
        return (await res.json()) as DataPlaneStatus;
      },
    };
    agents.push(agent);
    // The gateway lists the node's models once it is registered.
    await waitFor('the node in the gateway', async () => {
      const res = await fetch(`${orch.httpUrl}/v1/models`, {
        headers: { authorization: `Bearer ${orch.adminToken}` },
      });
      const body = (await res.json()) as { data: { nodes: { id: string }[] }[] };
      return body.data.some((m) => m.nodes.some((n) => n.id === nodeId));
    });
    return agent;
  };
  for (let i = 0; i < opts.agents; i++) await addAgent();
  return {
    orch,
    agents,
    baseURL: `${orch.httpUrl}/v1`,
    addAgent,
    stop: () => cleanup(procs, dirs),
  };
}
