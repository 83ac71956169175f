// Label rows read twice (the same export given twice, or two exports sharing a row) are converted
// once. A row is known by (label_hash, data_hash, branch); the run keeps a 64-bit fingerprint of each,
// 16 bytes a row in an open-addressing table, so 5 M rows cost ~80 MB at most, not a string each.
import { createHash } from "node:crypto";

export class SeenRows {
  private hi = new Uint32Array(1024);
  private lo = new Uint32Array(1024);
  private size = 0;

  /** True when the row was seen before; otherwise remembers it and returns false. */
  seenBefore(labelHash: string, dataHash: string, branch: string): boolean {
    const d = createHash("sha256").update(`${labelHash}\u0000${dataHash}\u0000${branch}`).digest();
    // 0,0 marks an empty slot, so a fingerprint never takes it.
    const h = d.readUInt32LE(0);
    const l = d.readUInt32LE(4) || 1;
    if (this.find(h, l)) return true;
    if ((this.size + 1) * 2 > this.hi.length) this.grow();
    this.insert(h, l);
    this.size++;
    return false;
  }

  private find(h: number, l: number): boolean {
    const mask = this.hi.length - 1;
    for (let i = (h ^ l) & mask; ; i = (i + 1) & mask) {
      if (this.lo[i] === 0) return false;
      if (this.hi[i] === h && this.lo[i] === l) return true;
    }
  }

  private insert(h: number, l: number): void {
    const mask = this.hi.length - 1;
    let i = (h ^ l) & mask;
    while (this.lo[i] !== 0) i = (i + 1) & mask;
    this.hi[i] = h;
    this.lo[i] = l;
  }

  private grow(): void {
    const [hi, lo] = [this.hi, this.lo];
    this.hi = new Uint32Array(hi.length * 2);
    this.lo = new Uint32Array(lo.length * 2);
    for (let i = 0; i < hi.length; i++) if (lo[i] !== 0) this.insert(hi[i] as number, lo[i] as number);
  }
}
