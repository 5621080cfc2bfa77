// Event ids held compactly and exactly: the ticket book keeps one per fact (for the case's
// history and for ordering ties), so the common shapes are stored smaller and restored to the
// very same string.
// - A canonical lowercase UUID is held as one 128-bit bigint (24 bytes instead of a 48-byte string).
// - An id that is its ticket's id plus a short suffix (`TK-1-2-s7`) is held as the suffix,
//   shared between tickets (suffixes like `-2-s7` repeat), and the ticket id is put back in front.
// - Any other id is held as it is.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** V8 copies substrings shorter than 13 characters; longer ones would keep the whole id alive. */
const MAX_SUFFIX = 12;
const MAX_SHARED = 65_536;

/** A packed id: a bigint (UUID), a suffix of the ticket id (relative) or the id itself. */
export interface PackedId {
  value: string | bigint;
  relative: boolean;
}

export class IdPacker {
  private readonly shared = new Map<string, string>();

  pack(id: string, ticketId: string): PackedId {
    if (id.length === 36 && UUID.test(id)) return { value: BigInt(`0x${id.replaceAll('-', '')}`), relative: false };
    const n = id.length - ticketId.length;
    if (n > 0 && n <= MAX_SUFFIX && id.startsWith(ticketId)) {
      const suffix = id.slice(ticketId.length);
      let s = this.shared.get(suffix);
      if (s === undefined) {
        s = suffix;
        if (this.shared.size < MAX_SHARED) this.shared.set(s, s);
      }
      return { value: s, relative: true };
    }
    return { value: id, relative: false };
  }

  unpack(value: string | bigint, relative: boolean, ticketId: string): string {
    if (typeof value === 'bigint') {
      const h = value.toString(16).padStart(32, '0');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
    return relative ? ticketId + value : value;
  }
}
