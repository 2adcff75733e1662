// The score among nodes that fit: model already loaded > least loaded (running/slots) > least recently
// assigned (so equal nodes share the work) > node id. A total order, so placement is deterministic.

/** What the score reads of a node. */
export interface NodeLoad {
  readonly id: string;
  readonly running: number;
  readonly slots: number;
  /** Sequence number of the node's latest assignment; 0 when it has had none. */
  readonly lastAssigned: number;
}

/** Whether node `a` (with the model loaded or not) is a better choice than node `b`. Both have slots > 0. */
export function isBetter(aLoaded: boolean, a: NodeLoad, bLoaded: boolean, b: NodeLoad): boolean {
  if (aLoaded !== bLoaded) return aLoaded;
  // running/slots compared without division: exact for integers.
  const la = a.running * b.slots;
  const lb = b.running * a.slots;
  if (la !== lb) return la < lb;
  if (a.lastAssigned !== b.lastAssigned) return a.lastAssigned < b.lastAssigned;
  return a.id < b.id;
}
