/**
 * The Docker Engine connection: DOCKER_HOST (unix://, tcp://, ssh://, with DOCKER_TLS_VERIFY/DOCKER_CERT_PATH, as
 * the docker CLI reads them) or the default socket. An explicit `dockerHost` overrides the environment.
 */
import Docker from 'dockerode';

export interface DockerConnection {
  docker: Docker;
  /** Where it points, for messages: a socket path or a URL. */
  endpoint: string;
}

const DEFAULT_SOCKET = '/var/run/docker.sock';

export function connectDocker(dockerHost?: string): DockerConnection {
  const host = dockerHost ?? process.env.DOCKER_HOST;
  if (!host) return { docker: new Docker({ socketPath: DEFAULT_SOCKET }), endpoint: DEFAULT_SOCKET };
  if (host.startsWith('unix://') || host.startsWith('/')) {
    const socketPath = host.startsWith('unix://') ? host.slice('unix://'.length) || DEFAULT_SOCKET : host;
    return { docker: new Docker({ socketPath }), endpoint: socketPath };
  }
  if (dockerHost === undefined) return { docker: new Docker(), endpoint: host }; // docker-modem reads the env
  const url = new URL(host.includes('//') ? host.replace(/^tcp:/, 'http:') : `http://${host}`);
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  const port = url.port || (protocol === 'https' ? '2376' : '2375');
  return { docker: new Docker({ host: url.hostname, port, protocol }), endpoint: host };
}
