#!/usr/bin/env python3
"""Generate the Gen9 command table from Mesa's genxml.

Usage:
    tools/gen-command-table.py [path/to/gen9.xml]          write the Swift file
    tools/gen-command-table.py --check [path/to/gen9.xml]  exit 1 if it is stale

The default input is ../shared/reference/genxml/gen9.xml relative to the
repository root (this script's parent directory). The output is
Sources/GPUModel/Commands/Gen9Commands+Generated.swift. Python 3 standard
library only; the output depends only on the input file (deterministic).

What genxml does not say, or says wrongly, is corrected here in small,
documented tables (ENGINE_OVERRIDES, BIAS_FIXES, NAME_FIXES, OPTIONAL_TAIL);
what genxml lacks entirely (the blitter's XY_* commands, a few MI and VEBOX
commands) is hand-written in Swift next to the generated file.
"""

import hashlib
import os
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_INPUT = os.path.join(ROOT, "..", "shared", "reference", "genxml", "gen9.xml")
OUTPUT = os.path.join(ROOT, "Sources", "GPUModel", "Commands", "Gen9Commands+Generated.swift")

# EngineMask raw values (Sources/GPUModel/Core/EngineID.swift).
RCS, BCS, VCS, VECS = 1, 2, 4, 8
ALL = RCS | BCS | VCS | VECS

# genxml's engine attribute is missing or too narrow for a few commands.
# Sources: GVT cmd_parser.c ring masks and the PRM's "Engine" rows.
ENGINE_OVERRIDES = {
    # MI_FLUSH_DW is the flush of the non-render engines (genxml says "video").
    "MI_FLUSH_DW": BCS | VCS | VECS,
    # Render-only MI commands that genxml leaves unrestricted.
    "MI_PREDICATE": RCS,
    "MI_SET_CONTEXT": RCS,
    # GVT: R_RCS | R_BCS (genxml says "render").
    "MI_LOAD_SCAN_LINES_INCL": RCS | BCS,
    "MI_LOAD_SCAN_LINES_EXCL": RCS | BCS,
}

# genxml typos in instruction names.
NAME_FIXES = {
    "MFX_MPEG_TS_CONTROL command": "MFX_MPEG_TS_CONTROL",
}

# Length biases genxml gets wrong: every multi-dword type-3 command excludes
# two dwords (HCP_TILE_CODING is declared bias 1 / length 1 but carries 5 dwords).
BIAS_FIXES = {
    "HCP_TILE_CODING": 2,
}

# Commands whose fields reach past the declared length on purpose: the extra
# dwords belong to an optional form (qword data, stereo flip, inline operands).
OPTIONAL_TAIL = {
    "MI_ATOMIC",
    "MI_DISPLAY_FLIP",
    "MI_STORE_DATA_IMM",
    "MI_STORE_DATA_INDEX",
}

CLASS_NAMES = {0: "mi", 2: "blitter", 3: "render"}
HEADER_MASKS = {0: 0xFF800000, 2: 0xFFC00000, 3: 0xFFFF0000}


def swift_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def swift_ident(name):
    out = "".join(c if c.isalnum() else "_" for c in name)
    return "c_" + out


class Genxml:
    def __init__(self, path):
        with open(path, "rb") as f:
            self.raw = f.read()
        self.sha256 = hashlib.sha256(self.raw).hexdigest()
        self.root = ET.fromstring(self.raw)
        self.enums = {e.get("name"): e for e in self.root.findall("enum")}
        self.structs = {s.get("name"): s for s in self.root.findall("struct")}

    def field_type(self, t):
        if t in ("bool", "uint", "int", "address", "offset", "float", "mbo"):
            return "." + t
        if t in self.enums:
            return ".enumeration(%s)" % swift_string(t)
        if t in self.structs:
            return ".structure(%s)" % swift_string(t)
        if len(t) > 1 and t[0] in "us" and "." in t:
            try:
                i, f = t[1:].split(".")
                return ".%s(%d, %d)" % ("ufixed" if t[0] == "u" else "sfixed", int(i), int(f))
            except ValueError:
                pass
        return ".other(%s)" % swift_string(t)

    def struct_address_bits(self, name, depth=0):
        """Bit offsets (relative to the struct) of address fields inside a struct."""
        s = self.structs.get(name)
        if s is None or depth > 4:
            return []
        out = []
        for f in s.findall("field"):
            start = int(f.get("start"))
            t = f.get("type")
            if t == "address":
                out.append(start)
            elif t in self.structs:
                out.extend(start + b for b in self.struct_address_bits(t, depth + 1))
        return out


def parse_int(v):
    if v is None:
        return None
    v = v.strip()
    return int(v, 0) if v.lower().startswith("0x") else int(v)


class Instruction:
    def __init__(self, gx, el):
        self.raw_name = el.get("name")
        self.name = NAME_FIXES.get(self.raw_name, self.raw_name)
        self.bias = BIAS_FIXES.get(self.name, int(el.get("bias")))
        self.declared = parse_int(el.get("length"))
        self.engine_attr = el.get("engine")
        self.fields = el.findall("field")
        self.groups = el.findall("group")
        by_name = {f.get("name"): f for f in self.fields}

        ctype = parse_int(by_name["Command Type"].get("default"))
        if ctype not in HEADER_MASKS:
            raise SystemExit("%s: unexpected command type %r" % (self.name, ctype))
        self.ctype = ctype

        # Length rule.
        lf = by_name.get("DWord Length")
        if lf is not None:
            self.len_bits = int(lf.get("end")) - int(lf.get("start")) + 1
            if int(lf.get("start")) != 0:
                raise SystemExit("%s: DWord Length not at bit 0" % self.name)
        else:
            self.len_bits = None
            if self.declared != 1:
                raise SystemExit("%s: no length field and length %r" % (self.name, self.declared))

        # Nominal length: declared, unless the (non-struct) fields show genxml
        # under-declares a fixed-size command.
        extent = 1
        for f in self.fields:
            if f.get("type") in gx.structs:
                continue
            extent = max(extent, int(f.get("end")) // 32 + 1)
        dflt = parse_int(lf.get("default")) if lf is not None else None
        self.nominal_note = None
        if self.declared is not None:
            nominal = self.declared
            # Fields past the declared length: trust the fields only when the declaration is
            # evidently a placeholder (no DWord Length default, or a length of 1-2 dwords).
            bogus = dflt is None or self.declared <= 2
            if (extent > nominal and bogus and self.name not in OPTIONAL_TAIL
                    and self.len_bits is not None):
                self.nominal_note = "%s: genxml length %d, fields reach dword %d" % (
                    self.name, self.declared, extent - 1)
                nominal = extent
        else:
            nominal = max(self.bias + (dflt or 0), extent, self.bias)
        if self.len_bits is not None:
            if nominal < self.bias or nominal - self.bias >= (1 << self.len_bits):
                raise SystemExit("%s: nominal length %d does not fit" % (self.name, nominal))
        self.nominal = nominal

        # Engines.
        if self.name in ENGINE_OVERRIDES:
            engines = ENGINE_OVERRIDES[self.name]
        elif self.engine_attr is None:
            engines = ALL if ctype == 0 else RCS
        else:
            engines = 0
            for part in self.engine_attr.split("|"):
                if part == "render":
                    engines |= RCS
                elif part == "blitter":
                    engines |= BCS
                elif part == "video":
                    # SFC is driven from the MFX (VDBOX) and from the VEBOX pipe.
                    engines |= (VCS | VECS) if self.name.startswith("SFC_") else VCS
                else:
                    raise SystemExit("%s: unknown engine %r" % (self.name, part))
        self.engines = engines

        # Header value from the dword-0 defaults, with the nominal length.
        header = 0
        for f in self.fields:
            start, end = int(f.get("start")), int(f.get("end"))
            if end >= 32:
                continue
            width = end - start + 1
            if f.get("name") == "DWord Length":
                val = nominal - self.bias
            elif f.get("type") == "mbo":
                val = (1 << width) - 1
            else:
                val = parse_int(f.get("default"))
                if val is None:
                    continue
            header |= (val & ((1 << width) - 1)) << start
        self.mask = HEADER_MASKS[ctype]
        self.header_value = header & self.mask
        self.default_header = header

        # Address dwords: top-level address fields, addresses inside struct
        # fields, and addresses in bounded groups (each element expanded).
        addr_bits = []
        for f in self.fields:
            start, t = int(f.get("start")), f.get("type")
            if t == "address":
                addr_bits.append(start)
            elif t in gx.structs:
                addr_bits.extend(start + b for b in gx.struct_address_bits(t))
        for g in self.groups:
            count, gstart, size = int(g.get("count")), int(g.get("start")), int(g.get("size"))
            if count == 0:
                continue
            rel = []
            for f in g.findall("field"):
                s, t = int(f.get("start")), f.get("type")
                if t == "address":
                    rel.append(s)
                elif t in gx.structs:
                    rel.extend(s + b for b in gx.struct_address_bits(t))
            for i in range(count):
                addr_bits.extend(gstart + i * size + b for b in rel)
        self.address_dwords = sorted(set(b // 32 for b in addr_bits))

    def sort_key(self):
        return (self.header_value, self.engines, self.name)


def emit_field(gx, f, indent, nominal_len=None, bias=None):
    name = f.get("name")
    start, end = int(f.get("start")), int(f.get("end"))
    dflt = parse_int(f.get("default"))
    if name == "DWord Length" and nominal_len is not None:
        dflt = nominal_len - bias
    values = f.findall("value")
    if values:
        vals = ", ".join(
            "CommandEnumValue(name: %s, value: %d)" % (swift_string(v.get("name")), parse_int(v.get("value")))
            for v in values
        )
        vals = "[" + vals + "]"
    else:
        vals = "[]"
    return "%sCommandField(name: %s, start: %d, end: %d, type: %s, defaultValue: %s, values: %s)" % (
        indent, swift_string(name), start, end, gx.field_type(f.get("type")),
        "nil" if dflt is None else str(dflt), vals)


def emit_instruction(gx, ins):
    lines = []
    fn = swift_ident(ins.name)
    lines.append("    /// genxml %s." % ins.name)
    lines.append("    private static func %s() -> CommandInfo {" % fn)
    if ins.len_bits is None:
        rule = ".fixed(%d)" % ins.nominal
    else:
        rule = ".variable(bits: %d, bias: %d)" % (ins.len_bits, ins.bias)
    fields = [emit_field(gx, f, "            ", ins.nominal, ins.bias) for f in ins.fields]
    groups = []
    for g in ins.groups:
        gf = [emit_field(gx, f, "                ") for f in g.findall("field")]
        groups.append(
            "            CommandFieldGroup(start: %d, size: %d, count: %d, fields: [\n%s,\n            ])"
            % (int(g.get("start")), int(g.get("size")), int(g.get("count")), ",\n".join(gf))
            if gf else
            "            CommandFieldGroup(start: %d, size: %d, count: %d, fields: [])"
            % (int(g.get("start")), int(g.get("size")), int(g.get("count"))))
    if fields:
        lines.append("        let fields: [CommandField] = [")
        lines.append(",\n".join(fields) + ",")
        lines.append("        ]")
    else:
        lines.append("        let fields: [CommandField] = []")
    if groups:
        lines.append("        let groups: [CommandFieldGroup] = [")
        lines.append(",\n".join(groups) + ",")
        lines.append("        ]")
    else:
        lines.append("        let groups: [CommandFieldGroup] = []")
    lines.append("        return CommandInfo(")
    lines.append("            id: 0, name: %s, commandClass: .%s," % (swift_string(ins.name), CLASS_NAMES[ins.ctype]))
    lines.append("            headerMask: 0x%08X, headerValue: 0x%08X," % (ins.mask, ins.header_value))
    lines.append("            length: %s, nominalLength: %d," % (rule, ins.nominal))
    lines.append("            engines: EngineMask(rawValue: 0x%X)," % ins.engines)
    lines.append("            addressDwords: [%s]," % ", ".join(str(d) for d in ins.address_dwords))
    lines.append("            fields: fields, groups: groups)")
    lines.append("    }")
    return lines


def generate(path):
    gx = Genxml(path)
    instructions = [Instruction(gx, el) for el in gx.root.findall("instruction")]
    instructions.sort(key=Instruction.sort_key)
    for ins in instructions:
        if ins.nominal_note:
            print("gen-command-table: nominal length from fields: " + ins.nominal_note, file=sys.stderr)

    out = []
    out.append("// GENERATED by tools/gen-command-table.py from Mesa genxml gen9.xml (MIT) — do not edit.")
    out.append("// Input sha256 %s; %d instructions, %d enums." % (gx.sha256, len(instructions), len(gx.enums)))
    out.append("// Regenerate: tools/gen-command-table.py [path/to/gen9.xml]; verify: --check.")
    out.append("")
    out.append("extension Gen9Commands {")
    out.append("    /// Number of instructions taken from genxml.")
    out.append("    static let generatedCount = %d" % len(instructions))
    out.append("")
    for ctype in (0, 3):
        cname = CLASS_NAMES[ctype]
        members = [i for i in instructions if i.ctype == ctype]
        out.append("    /// The genxml instructions of command type %d (%s), in header order." % (ctype, cname))
        out.append("    static func generated%s() -> [CommandInfo] {" % cname.capitalize())
        out.append("        var rows: [CommandInfo] = []")
        out.append("        rows.reserveCapacity(%d)" % len(members))
        for i in members:
            out.append("        rows.append(%s())" % swift_ident(i.name))
        out.append("        return rows")
        out.append("    }")
        out.append("")
    out.append("    /// genxml's enums, in name order.")
    out.append("    static func generatedEnums() -> [CommandEnum] {")
    out.append("        var enums: [CommandEnum] = []")
    for name in sorted(gx.enums):
        e = gx.enums[name]
        vals = ", ".join(
            "CommandEnumValue(name: %s, value: %d)" % (swift_string(v.get("name")), parse_int(v.get("value")))
            for v in e.findall("value"))
        out.append("        enums.append(CommandEnum(name: %s, values: [%s]))" % (swift_string(name), vals))
    out.append("        return enums")
    out.append("    }")
    out.append("")
    for ins in instructions:
        out.extend(emit_instruction(gx, ins))
        out.append("")
    if out[-1] == "":
        out.pop()
    out.append("}")
    return "\n".join(out) + "\n"


def main(argv):
    check = False
    args = []
    for a in argv[1:]:
        if a == "--check":
            check = True
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            args.append(a)
    if len(args) > 1:
        print("usage: gen-command-table.py [--check] [path/to/gen9.xml]", file=sys.stderr)
        return 2
    path = args[0] if args else DEFAULT_INPUT
    if not os.path.exists(path):
        print("gen-command-table: no genxml at %s" % path, file=sys.stderr)
        return 2
    text = generate(path)
    if check:
        try:
            with open(OUTPUT, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current != text:
            print("gen-command-table: %s is stale; run tools/gen-command-table.py" % os.path.relpath(OUTPUT, ROOT),
                  file=sys.stderr)
            return 1
        print("gen-command-table: up to date")
        return 0
    with open(OUTPUT, "w", encoding="utf-8") as f:
        f.write(text)
    print("gen-command-table: wrote %s" % os.path.relpath(OUTPUT, ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
