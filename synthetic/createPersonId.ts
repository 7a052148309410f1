// Pseudonymous person_id: "P" + 7 base-36 characters from a seeded 32-bit bijection of the person's
// index, so ids are unique, look random, and (starting with a letter) can never be a 10-digit NHS number.

function mix(seed: number): number {
  let z = (seed + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A bijection on 32-bit integers (xor, odd multiplications and xor-shifts are each invertible). */
function permute(index: number, key: number): number {
  let x = (index ^ key) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  return (x + mix(key)) >>> 0;
}

export function createPersonId(index: number, seed: number): string {
  return `P${permute(index, mix(seed ^ 0x5a17)).toString(36).padStart(7, '0')}`;
}
