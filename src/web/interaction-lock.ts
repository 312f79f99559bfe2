// Serializes requests of one interaction within this process, so a double-click or parallel
// submissions cannot interleave their read-modify-write of the flow state. (The SQLite store
// has one process; code consumption itself is atomic in the store regardless.)
import type { RequestHandler } from 'express';

export function interactionLock(): RequestHandler {
  const tails = new Map<string, Promise<void>>();
  return (req, res, next) => {
    const uid = String(req.params.uid);
    const previous = tails.get(uid) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => { release = resolve; });
    const tail = previous.then(() => mine);
    tails.set(uid, tail);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      release();
      if (tails.get(uid) === tail) tails.delete(uid);
    };
    res.once('finish', finish);
    res.once('close', finish);
    void previous.then(() => next());
  };
}
