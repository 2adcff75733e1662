export { DataPlaneServer, type DataPlaneServerOptions } from './server.js';
