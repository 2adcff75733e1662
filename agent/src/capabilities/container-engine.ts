// The Docker Engine as a node capability (proto ContainerEngine): available, versions and endpoint, or why not.
import type { Capabilities } from '@orchion/proto';
import type { EngineInfo } from '../runtimes/docker/engine-info';

export type ContainerEngineCapability = NonNullable<Capabilities['containerEngine']>;

/** A socket path as the URL the docker CLI would show (unix:///var/run/docker.sock); other endpoints as they are. */
export const endpointUrl = (endpoint: string): string =>
  endpoint.startsWith('/') ? `unix://${endpoint}` : endpoint;

export function containerEngineCapability(info: EngineInfo): ContainerEngineCapability {
  return info.available
    ? {
        available: true,
        version: info.version,
        apiVersion: info.apiVersion,
        endpoint: endpointUrl(info.endpoint),
        error: '',
      }
    : {
        available: false,
        version: '',
        apiVersion: '',
        endpoint: endpointUrl(info.endpoint),
        error: info.reason,
      };
}
