#!/usr/bin/env python3
"""Sends crafted packets as Ethernet frames on one interface (AF_PACKET), for the kernel
differential test. Reads lines `FAMILY PROTO SRC DST SPORT DPORT` (FAMILY 4|6, PROTO number,
SRC/DST addresses as text) and, for IPv6, an optional seventh field naming an extension header
to put before the transport header (hbh, dst, rt: a type 0 routing header with no addresses
left, frag: an atomic fragment, offset 0 and no more fragments); argv: interface, destination MAC.
TCP packets are SYNs, UDP plain datagrams, ICMP/ICMPv6 echo requests (type = DPORT>>8), any other
protocol an empty payload. Checksums are correct so conntrack classifies packets as new
(nf_conntrack_checksum). Only documentation addresses are used by the test that drives this."""
import socket, struct, sys

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF

def l4(proto, sport, dport, pseudo):
    if proto == 6:
        h = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, 0x02, 8192, 0, 0)
        c = csum(pseudo(len(h)) + h)
        return h[:16] + struct.pack("!H", c) + h[18:]
    if proto == 17:
        payload = b"pm"
        h = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
        c = csum(pseudo(len(h)) + h) or 0xFFFF
        return h[:6] + struct.pack("!H", c) + h[8:]
    if proto in (1, 58):
        h = struct.pack("!BBHHH", dport >> 8, dport & 255, 0, 1, 1) + b"pm"
        c = csum((pseudo(len(h)) if proto == 58 else b"") + h)
        return h[:2] + struct.pack("!H", c) + h[4:]
    return b"pmpm"

# Next-header values (RFC 8200 §4) and an 8-byte header of each kind, given the header after it.
EXT = {
    "hbh": (0, lambda nxt: struct.pack("!BBBB4x", nxt, 0, 1, 4)),   # PadN over the 6 option bytes
    "dst": (60, lambda nxt: struct.pack("!BBBB4x", nxt, 0, 1, 4)),
    "rt": (43, lambda nxt: struct.pack("!BBBB4x", nxt, 0, 0, 0)),    # type 0, segments left 0
    "frag": (44, lambda nxt: struct.pack("!BBHI", nxt, 0, 0, 0x706d)),  # offset 0, M 0
}

def frame(fam, proto, src, dst, sport, dport, smac, dmac, ext=None):
    if fam == "4":
        s, d = socket.inet_pton(socket.AF_INET, src), socket.inet_pton(socket.AF_INET, dst)
        body = l4(proto, sport, dport, lambda n: s + d + struct.pack("!BBH", 0, proto, n))
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), 1, 0, 64, proto, 0, s, d)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        return dmac + smac + b"\x08\x00" + ip + body
    s, d = socket.inet_pton(socket.AF_INET6, src), socket.inet_pton(socket.AF_INET6, dst)
    body = l4(proto, sport, dport, lambda n: s + d + struct.pack("!I3xB", n, proto))
    first = proto
    if ext:
        first, header = EXT[ext]
        body = header(proto) + body
    ip = struct.pack("!IHBB16s16s", 6 << 28, len(body), first, 64, s, d)
    return dmac + smac + b"\x86\xdd" + ip + body

def main():
    ifname, dmac_text = sys.argv[1], sys.argv[2]
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((ifname, 0))
    smac = sock.getsockname()[4]
    dmac = bytes(int(x, 16) for x in dmac_text.split(":"))
    n = 0
    for line in sys.stdin:
        f = line.split()
        if len(f) not in (6, 7):
            continue
        ext = f[6] if len(f) == 7 else None
        sock.send(frame(f[0], int(f[1]), f[2], f[3], int(f[4]), int(f[5]), smac, dmac, ext))
        n += 1
    print(n)

main()
