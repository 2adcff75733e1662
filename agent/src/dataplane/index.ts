export { DataPlaneServer, type DataPlaneServerOptions } from './server.js';
export { DataPlaneCore } from './core.js';
