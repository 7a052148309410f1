// Raw reads from DuckDB result vectors through @duckdb/node-bindings: copies of a vector's data and
// validity mask as bytes, with no per-row JS values. Used by the column writers in this folder.
import { endianness } from 'node:os';
import type { DuckDBDataChunk } from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';

if (endianness() !== 'LE') {
  // DuckDB vectors hold native-endian values and Arrow IPC here is written little-endian.
  throw new Error('writeArrowFile copies DuckDB vectors byte for byte and needs a little-endian machine');
}

export type RawVector = duckdb.Vector;

/** The raw vector of one column of a result chunk. */
export function chunkColumn(chunk: DuckDBDataChunk, column: number): RawVector {
  return duckdb.data_chunk_get_vector(chunk.chunk, column);
}

/** A copy of the first `byteCount` bytes of the vector's data. */
export function readVectorData(vector: RawVector, byteCount: number): Uint8Array {
  return duckdb.vector_get_data(vector, byteCount);
}

/** A copy of the validity mask for `rowCount` rows, or null when every row is valid. */
export function readVectorValidity(vector: RawVector, rowCount: number): Uint8Array | null {
  return duckdb.vector_get_validity(vector, Math.ceil(rowCount / 64) * 8);
}

/** A Uint32Array over `bytes`, copying only when its offset is not 4-byte aligned. */
export function uint32View(bytes: Uint8Array): Uint32Array {
  if (bytes.byteOffset % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
  return new Uint32Array(bytes.slice().buffer, 0, bytes.byteLength >> 2);
}

export function listChildVector(vector: RawVector): RawVector {
  return duckdb.list_vector_get_child(vector);
}

export function listChildCount(vector: RawVector): number {
  return duckdb.list_vector_get_size(vector);
}

/** Copies `byteCount` bytes of DuckDB memory starting at the pointer stored (little-endian) in `cell`. */
export function readPointedBytes(cell: ArrayBuffer, byteCount: number): Uint8Array {
  return duckdb.get_data_from_pointer(cell, 0, byteCount);
}

export const sizeofBool: number = duckdb.sizeof_bool;
