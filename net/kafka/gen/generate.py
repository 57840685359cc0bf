#!/usr/bin/env python3
"""Generates the C++ codec of every Kafka message from ringlog's schema definitions.

Input: net/kafka/schema/*.schema (format in net/kafka/README.md). Output, into --out-dir:
  net/kafka/messages/<stem>.h/.cc   one C++ struct per message with encode/decode per version
  net/kafka/messages/api_schemas.h  what each API's definition covers (versions, flexible from)
  net/kafka/messages/all_messages.h/.cc  AnyRequest/AnyResponse and decode by api key
  net/kafka/messages/samples.h      populated sample values of every message, for tests

Python 3 standard library only. Files are rewritten only when their content changes, so a
schema edit rebuilds only what depends on it. Never edit the output by hand.
"""

import argparse
import os
import re
import sys

FLEXIBLE_NEVER = 32767  # INT16_MAX: "no flexible version"

PRIMITIVES = {
    "bool": "bool",
    "int8": "int8_t",
    "int16": "int16_t",
    "int32": "int32_t",
    "int64": "int64_t",
    "uint16": "uint16_t",
    "uint32": "uint32_t",
    "float64": "double",
    "uuid": "Uuid",
    "string": "std::string",
    "bytes": "std::vector<std::byte>",
    "records": "RecordsView",
}
FIXED_WIDTH = {"bool", "int8", "int16", "int32", "int64", "uint16", "uint32", "float64", "uuid"}
CPP_KEYWORDS = {"default", "operator", "class", "struct", "template", "delete", "new", "private",
                "public", "protected", "namespace", "register", "union", "int", "bool", "auto"}


class SchemaError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Model


class VersionRange:
    """A closed range of versions; hi None means open ("3+"). None as a whole means "none"."""

    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    @staticmethod
    def parse(text, where):
        if text == "none":
            return None
        m = re.fullmatch(r"(\d+)\+", text)
        if m:
            return VersionRange(int(m.group(1)), None)
        m = re.fullmatch(r"(\d+)-(\d+)", text)
        if m:
            lo, hi = int(m.group(1)), int(m.group(2))
            if lo > hi:
                raise SchemaError(f"{where}: empty version range {text}")
            return VersionRange(lo, hi)
        m = re.fullmatch(r"(\d+)", text)
        if m:
            return VersionRange(int(m.group(1)), int(m.group(1)))
        raise SchemaError(f"{where}: bad version range '{text}'")

    def contains(self, v):
        return v >= self.lo and (self.hi is None or v <= self.hi)

    def condition(self, window):
        """C++ condition on `version` for this range, given the versions a message covers."""
        if not self.intersects(window):
            return "false"
        parts = []
        if self.lo > window.lo:
            parts.append(f"version >= {self.lo}")
        if self.hi is not None and self.hi < window.hi:
            parts.append(f"version <= {self.hi}")
        return " && ".join(parts) if parts else "true"

    def intersects(self, window):
        return self.lo <= window.hi and (self.hi is None or self.hi >= window.lo)


def condition(r, window):
    return "false" if r is None else r.condition(window)


class Field:
    def __init__(self, name, type_text, versions, where):
        self.name = name
        self.type_text = type_text
        self.versions = versions
        self.nullable = None
        self.tag = None
        self.tagged = None
        self.default = None
        self.children = []
        self.where = where
        self.is_array = type_text.startswith("[]")
        self.element = type_text[2:] if self.is_array else type_text
        self.struct = None  # Struct, for struct elements

    @property
    def member(self):
        snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", self.name)
        snake = re.sub(r"(?<=[A-Z])([A-Z][a-z])", r"_\1", snake).lower()
        return snake + "_" if snake in CPP_KEYWORDS else snake

    def is_struct(self):
        return self.element not in PRIMITIVES


class Struct:
    def __init__(self, name, fields):
        self.name = name
        self.fields = fields


class Message:
    def __init__(self, kind, name, versions, flexible, api_name, api_key, where):
        self.kind = kind  # request / response / data
        self.name = name
        self.versions = versions
        self.flexible = flexible  # VersionRange or None
        self.api_name = api_name
        self.api_key = api_key
        self.fields = []
        self.structs = []  # nested structs, children before parents
        self.where = where

    @property
    def first_flexible(self):
        return FLEXIBLE_NEVER if self.flexible is None else self.flexible.lo


class SchemaFile:
    def __init__(self, stem):
        self.stem = stem
        self.api_name = None
        self.api_key = None
        self.messages = []


# ---------------------------------------------------------------------------------------------
# Parsing


def parse_options(tokens, where):
    options = {}
    for token in tokens:
        if "=" not in token:
            raise SchemaError(f"{where}: expected key=value, got '{token}'")
        key, value = token.split("=", 1)
        if key in options:
            raise SchemaError(f"{where}: '{key}' given twice")
        options[key] = value
    return options


def parse_file(path):
    stem = os.path.splitext(os.path.basename(path))[0]
    schema = SchemaFile(stem)
    message = None
    stack = []  # (indent, field)
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    for number, raw in enumerate(lines, 1):
        where = f"{path}:{number}"
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        indent_spaces = len(line) - len(line.lstrip(" "))
        if indent_spaces % 2 != 0 or "\t" in line:
            raise SchemaError(f"{where}: indent with two spaces per level")
        indent = indent_spaces // 2
        tokens = line.split()
        if indent == 0:
            stack = []
            if tokens[0] == "api":
                opts = parse_options(tokens[2:], where)
                schema.api_name = tokens[1]
                schema.api_key = int(opts["key"])
            elif tokens[0] in ("request", "response", "data"):
                opts = parse_options(tokens[2:], where)
                versions = VersionRange.parse(opts["versions"], where)
                if versions is None or versions.hi is None:
                    raise SchemaError(f"{where}: a message covers a closed range, e.g. 0-4")
                flexible = VersionRange.parse(opts.get("flexible", "none"), where)
                if tokens[0] != "data" and schema.api_key is None:
                    raise SchemaError(f"{where}: 'api' line must come first")
                message = Message(tokens[0], tokens[1], versions, flexible, schema.api_name,
                                  schema.api_key, where)
                schema.messages.append(message)
            else:
                raise SchemaError(f"{where}: unknown declaration '{tokens[0]}'")
            continue
        if message is None:
            raise SchemaError(f"{where}: field outside a message")
        if len(tokens) < 3:
            raise SchemaError(f"{where}: a field is 'Name type versions [options]'")
        field = Field(tokens[0], tokens[1], VersionRange.parse(tokens[2], where), where)
        opts = parse_options(tokens[3:], where)
        for key, value in opts.items():
            if key == "nullable":
                field.nullable = VersionRange.parse(value, where)
            elif key == "tag":
                field.tag = int(value)
            elif key == "tagged":
                field.tagged = VersionRange.parse(value, where)
            elif key == "default":
                field.default = value
            else:
                raise SchemaError(f"{where}: unknown option '{key}'")
        if (field.tag is None) != (field.tagged is None):
            raise SchemaError(f"{where}: tag and tagged go together")
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if indent == 1:
            message.fields.append(field)
        elif stack and stack[-1][0] == indent - 1:
            parent = stack[-1][1]
            if not parent.is_struct():
                raise SchemaError(f"{where}: only struct fields have nested fields")
            parent.children.append(field)
        else:
            raise SchemaError(f"{where}: indented too deep")
        stack.append((indent, field))
    for m in schema.messages:
        resolve(m)
    return schema


def resolve(message):
    names = {message.name}

    def walk(fields, owner):
        tags = set()
        for f in fields:
            validate_field(f, message)
            if f.tag is not None:
                if f.tag in tags:
                    raise SchemaError(f"{f.where}: tag {f.tag} used twice in {owner}")
                tags.add(f.tag)
            if f.is_struct():
                if not f.children:
                    raise SchemaError(f"{f.where}: struct {f.element} has no fields")
                walk(f.children, f.element)
                if f.element in names:
                    raise SchemaError(f"{f.where}: struct name {f.element} defined twice")
                names.add(f.element)
                f.struct = Struct(f.element, f.children)
                message.structs.append(f.struct)
            elif f.children:
                raise SchemaError(f"{f.where}: {f.type_text} cannot have nested fields")

    walk(message.fields, message.name)


def validate_field(f, message):
    if f.versions is None:
        raise SchemaError(f"{f.where}: a field needs versions")
    if f.nullable is not None and f.element in FIXED_WIDTH and not f.is_array:
        raise SchemaError(f"{f.where}: {f.element} cannot be nullable")
    if f.nullable is not None and f.is_struct() and not f.is_array:
        raise SchemaError(f"{f.where}: nullable struct fields are not supported")
    if f.tagged is not None and message.flexible is None:
        raise SchemaError(f"{f.where}: tagged field in a message without flexible versions")
    if f.tagged is not None and f.tagged.lo < message.flexible.lo:
        raise SchemaError(f"{f.where}: tagged in a non-flexible version")


# ---------------------------------------------------------------------------------------------
# C++ types and defaults


def element_cpp(f, scope):
    if f.is_struct():
        return f"{scope}::{f.element}" if scope else f.element
    return PRIMITIVES[f.element]


def optional_member(f):
    """Records are always optional (null is their default); others when nullable anywhere."""
    return f.element == "records" and not f.is_array or f.nullable is not None


def member_cpp(f, scope=""):
    base = element_cpp(f, scope)
    if f.is_array:
        base = f"std::vector<{base}>"
    return f"std::optional<{base}>" if optional_member(f) else base


def int_literal(text, cpp_type, where):
    try:
        value = int(text, 0)
    except ValueError:
        raise SchemaError(f"{where}: bad integer default '{text}'")
    if text.lower().startswith("0x"):
        return text
    if value < -(2**31) or value >= 2**31:
        return f"static_cast<{cpp_type}>({value}LL)"
    if value == -(2**31):
        return f"static_cast<{cpp_type}>(-2147483647 - 1)"
    return str(value)


def default_value(f):
    """C++ expression of the field's default, or None when value-initialisation gives it."""
    d = f.default
    if f.is_array:
        if d not in (None, "null"):
            raise SchemaError(f"{f.where}: arrays default to empty or null")
        if optional_member(f) and d != "null":
            return f"{member_cpp(f)}::value_type()"
        return None
    if f.is_struct():
        if d is not None:
            raise SchemaError(f"{f.where}: struct fields take no default")
        return None
    e = f.element
    if e == "records":
        return None
    if d == "null":
        if not optional_member(f):
            raise SchemaError(f"{f.where}: null default on a non-nullable field")
        return None
    if e in ("string", "bytes"):
        if d not in (None, '""'):
            if e == "bytes":
                raise SchemaError(f"{f.where}: bytes default to empty or null")
            text = d.strip('"')
            return f'std::string("{text}")'
        return f"{PRIMITIVES[e]}()" if optional_member(f) else None
    if e == "bool":
        if d is None:
            return None
        if d not in ("true", "false"):
            raise SchemaError(f"{f.where}: bool default is true or false")
        return d if d == "true" else None
    if e == "uuid":
        if d is not None:
            raise SchemaError(f"{f.where}: uuid defaults to zero")
        return None
    if e == "float64":
        return None if d is None else repr(float(d))
    return None if d is None else int_literal(d, PRIMITIVES[e], f.where)


def not_default_expr(f, v):
    """C++ condition: the member `v` differs from the default (tagged fields write only then)."""
    d = default_value(f)
    if f.is_struct() and not f.is_array:
        return f"!({v} == {element_cpp(f, '')}{{}})"
    if optional_member(f):
        if d is None:
            return f"{v}.has_value()"
        if f.is_array or f.element in ("string", "bytes") and f.default in (None, '""'):
            return f"!({v}.has_value() && {v}->empty())"
        return f"!({v}.has_value() && *{v} == {d})"
    if f.is_array or f.element in ("string", "bytes"):
        return f"!{v}.empty()" if d is None else f"{v} != {d}"
    if f.element == "uuid":
        return f"!{v}.is_zero()"
    if f.element == "bool":
        return f"{v}" if d is None else f"!{v}"
    return f"{v} != {d if d is not None else 0}"


# ---------------------------------------------------------------------------------------------
# Encode / decode code


WRITE_FIXED = {
    "bool": "write_bool", "int8": "write_int8", "int16": "write_int16", "int32": "write_int32",
    "int64": "write_int64", "uint16": "write_uint16", "uint32": "write_uint32",
    "float64": "write_float64", "uuid": "write_uuid",
}
READ_FIXED = {k: v.replace("write_", "read_") for k, v in WRITE_FIXED.items()}


class Out:
    def __init__(self):
        self.lines = []
        self.depth = 0

    def __call__(self, text=""):
        self.lines.append(("  " * self.depth + text) if text else "")

    def indent(self):
        self.depth += 1

    def dedent(self):
        self.depth -= 1


def emit_write_element(out, f, v, w, enc):
    e = f.element
    if f.is_struct():
        out(f"{v}.encode({w}, version);")
    elif e in WRITE_FIXED:
        out(f"{w}.{WRITE_FIXED[e]}({v});")
    elif e == "string":
        out(f"{w}.write_string({v}, {enc});")
    elif e == "bytes":
        out(f"{w}.write_bytes({v}, {enc});")
    else:
        raise SchemaError(f"{f.where}: arrays of {e} are not supported")


def emit_write(out, f, v, w, enc, window):
    """Writes member `v` of field f with Writer `w`."""
    nullable_now = condition(f.nullable, window)
    if f.is_array:
        items = f"(*{v})" if optional_member(f) else v
        if optional_member(f):
            out(f"if (!{v}.has_value()) {{")
            out.indent()
            null_length = {"true": "-1", "false": "0"}.get(nullable_now, f"({nullable_now}) ? -1 : 0")
            out(f"{w}.write_array_length({null_length}, {enc});")
            out.dedent()
            out("} else {")
            out.indent()
        out(f'RL_ASSERT({items}.size() <= INT32_MAX, "array too long to encode");')
        out(f"{w}.write_array_length(static_cast<int32_t>({items}.size()), {enc});")
        out(f"for (const auto& item : {items}) {{")
        out.indent()
        emit_write_element(out, f, "item", w, enc)
        out.dedent()
        out("}")
        if optional_member(f):
            out.dedent()
            out("}")
        return
    e = f.element
    if e == "records":
        # Null where the version cannot say null is written empty, not refused.
        if nullable_now == "true":
            out(f"{w}.write_records({v}, {enc});")
            return
        out(f"if ({v}.has_value() || ({nullable_now})) {{")
        out(f"  {w}.write_records({v}, {enc});")
        out("} else {")
        out(f"  {w}.write_records(RecordsView{{}}, {enc});")
        out("}")
        return
    if optional_member(f) and e in ("string", "bytes"):
        method = "write_nullable_string" if e == "string" else "write_nullable_bytes"
        empty = "std::string_view()" if e == "string" else "std::span<const std::byte>()"
        plain = "write_string" if e == "string" else "write_bytes"
        if nullable_now == "true":
            out(f"{w}.{method}({v}, {enc});")
            return
        out(f"if ({v}.has_value() || ({nullable_now})) {{")
        out(f"  {w}.{method}({v}, {enc});")
        out("} else {")
        out(f"  {w}.{plain}({empty}, {enc});")
        out("}")
        return
    emit_write_element(out, f, v, w, enc)


def emit_read_element(out, f, target, r, enc, scope):
    """Reads one value of f's element type into lvalue `target`."""
    e = f.element
    if f.is_struct():
        out(f"if (auto decoded = {target}.decode_into({r}, version); !decoded) {{")
        out("  return decoded.error();")
        out("}")
        return
    if e in READ_FIXED:
        call = f"{r}.{READ_FIXED[e]}()"
    elif e == "string":
        call = f"{r}.read_string({enc})"
    elif e == "bytes":
        call = f"{r}.read_bytes({enc})"
    else:
        raise SchemaError(f"{f.where}: arrays of {e} are not supported")
    out(f"auto value = {call};")
    out("if (!value) return value.error();")
    out(f"{target} = std::move(*value);")


def emit_read(out, f, v, r, enc, window, scope):
    nullable_now = condition(f.nullable, window)
    if f.is_array:
        out(f"auto length = {r}.read_array_length({enc});")
        out("if (!length) return length.error();")
        out("if (*length < 0) {")
        out.indent()
        if optional_member(f):
            if nullable_now != "true":
                out(f"if (!({nullable_now})) return DecodeError::kUnexpectedNull;")
            out(f"{v}.reset();")
        else:
            out("return DecodeError::kUnexpectedNull;")
        out.dedent()
        out("} else {")
        out.indent()
        items = f"{v}.emplace()" if optional_member(f) else f"{v}"
        out(f"auto& items = {items};")
        out("items.clear();")
        out("items.reserve(std::min<size_t>(static_cast<size_t>(*length), kArrayReserveElementsMax));")
        out("for (int32_t i = 0; i < *length; ++i) {")
        out.indent()
        out("auto& item = items.emplace_back();")
        emit_read_element(out, f, "item", r, enc, scope)
        out.dedent()
        out("}")
        out.dedent()
        out("}")
        return
    e = f.element
    if e == "records":
        out(f"auto value = {r}.read_records({enc});")
        out("if (!value) return value.error();")
        if nullable_now != "true":
            out(f"if (!value->has_value() && !({nullable_now})) return DecodeError::kUnexpectedNull;")
        out(f"{v} = *value;")
        return
    if optional_member(f) and e in ("string", "bytes"):
        method = "read_nullable_string" if e == "string" else "read_nullable_bytes"
        out(f"auto value = {r}.{method}({enc});")
        out("if (!value) return value.error();")
        if nullable_now != "true":
            out(f"if (!value->has_value() && !({nullable_now})) return DecodeError::kUnexpectedNull;")
        out(f"{v} = std::move(*value);")
        return
    emit_read_element(out, f, v, r, enc, scope)


def uses_length_encoding(fields):
    return any(f.is_array or f.element in ("string", "bytes", "records") for f in fields)


def emit_prologue(out, message, fields, any_flexible, flexible_cond):
    out("(void)version;")
    if any_flexible:
        out(f"const bool flexible = {flexible_cond};")
    if uses_length_encoding(fields):
        if any_flexible:
            out("[[maybe_unused]] const LengthEncoding encoding =")
            out("    flexible ? LengthEncoding::kCompact : LengthEncoding::kClassic;")
        else:
            out("[[maybe_unused]] const LengthEncoding encoding = LengthEncoding::kClassic;")


def emit_struct_codec(out, message, struct_name, fields, qualified, top_level):
    window = message.versions
    flexible_cond = condition(message.flexible, window)
    regular = [f for f in fields if f.versions.intersects(window)]
    tagged = sorted([f for f in fields if f.tagged is not None and f.tagged.intersects(window)],
                    key=lambda f: f.tag)
    any_flexible = message.flexible is not None and message.flexible.intersects(window)

    # encode
    out(f"void {qualified}::encode(Writer& writer, int16_t version) const {{")
    out.indent()
    if top_level:
        out("RL_ASSERT(version >= kLowestVersion && version <= kHighestVersion,")
        out('          "encoding a version this message definition does not cover");')
    emit_prologue(out, message, fields, any_flexible, flexible_cond)
    for f in regular:
        present = condition(f.versions, window)
        if f.tagged is not None:
            tagged_now = condition(f.tagged, window)
            present = f"({present}) && !({tagged_now})"
        if present == "false":
            continue
        if present != "true":
            out(f"if ({present}) {{")
            out.indent()
        emit_write(out, f, "this->" + f.member, "writer", "encoding", window)
        if present != "true":
            out.dedent()
            out("}")
    if any_flexible:
        out("if (flexible) {")
        out.indent()
        if not tagged:
            out("writer.write_unsigned_varint(0);  // no tagged fields")
        else:
            out("uint32_t tagged_count = 0;")
            for f in tagged:
                out(f"const bool write_{f.member} = ({condition(f.tagged, window)}) && "
                    f"({not_default_expr(f, 'this->' + f.member)});")
                out(f"tagged_count += write_{f.member} ? 1 : 0;")
            out("writer.write_unsigned_varint(tagged_count);")
            for f in tagged:
                out(f"if (write_{f.member}) {{")
                out.indent()
                out("Writer payload;")
                emit_write(out, f, "this->" + f.member, "payload", "LengthEncoding::kCompact", window)
                out(f"writer.write_tagged_field({f.tag}, payload.bytes());")
                out.dedent()
                out("}")
        out.dedent()
        out("}")
    out.dedent()
    out("}")
    out()

    # decode_into
    out(f"Result<void, DecodeError> {qualified}::decode_into(Reader& reader, int16_t version) {{")
    out.indent()
    emit_prologue(out, message, fields, any_flexible, flexible_cond)
    for f in regular:
        present = condition(f.versions, window)
        if f.tagged is not None:
            present = f"({present}) && !({condition(f.tagged, window)})"
        if present == "false":
            continue
        out(f"if ({present}) {{" if present != "true" else "{")
        out.indent()
        emit_read(out, f, "this->" + f.member, "reader", "encoding", window, "")
        out.dedent()
        out("}")
    if any_flexible:
        out("if (flexible) {")
        out.indent()
        out("auto count = reader.read_tagged_fields_count();")
        out("if (!count) return count.error();")
        out("for (uint32_t i = 0; i < *count; ++i) {")
        out.indent()
        out("auto tag = reader.read_unsigned_varint();")
        out("if (!tag) return tag.error();")
        out("auto payload = reader.read_tagged_payload();")
        out("if (!payload) return payload.error();")
        if tagged:
            out("Reader& field_reader = *payload;")
            out("switch (*tag) {")
            out.indent()
            for f in tagged:
                out(f"case {f.tag}:")
                out.indent()
                out(f"if ({condition(f.tagged, window)}) {{")
                out.indent()
                emit_read(out, f, "this->" + f.member, "field_reader", "LengthEncoding::kCompact", window, "")
                out("if (field_reader.remaining() != 0) return "
                    "DecodeError::kTaggedFieldSizeMismatch;")
                out.dedent()
                out("}")
                out("break;")
                out.dedent()
            out("default:")
            out("  break;  // unknown tags are skipped: how optional data is added without a bump")
            out.dedent()
            out("}")
        else:
            out("// No known tags here: every field is skipped.")
        out.dedent()
        out("}")
        out.dedent()
        out("}")
    if not regular and not any_flexible:
        out("(void)reader;")
    out("return {};")
    out.dedent()
    out("}")
    out()

    out(f"Result<{qualified}, DecodeError> {qualified}::decode(Reader& reader, int16_t version) {{")
    out.indent()
    if top_level:
        out("if (version < kLowestVersion || version > kHighestVersion) {")
        out("  return DecodeError::kUnsupportedVersion;")
        out("}")
    out(f"{qualified} value;")
    out("if (auto decoded = value.decode_into(reader, version); !decoded) return decoded.error();")
    out("return value;")
    out.dedent()
    out("}")
    out()


def emit_struct_decl(out, f_list, name, top_level, message):
    for f in f_list:
        d = default_value(f)
        init = f" = {d}" if d is not None else ("{}" if not f.is_array and not optional_member(f)
                                                and f.element in FIXED_WIDTH else "")
        out(f"{member_cpp(f)} {f.member}{init};")
    out()
    out("void encode(Writer& writer, int16_t version) const;")
    out(f"static Result<{name}, DecodeError> decode(Reader& reader, int16_t version);")
    out("// Fills this (default-constructed) value; decode() wraps it.")
    out("Result<void, DecodeError> decode_into(Reader& reader, int16_t version);")
    out(f"friend bool operator==(const {name}&, const {name}&) = default;")


def header_for(schema, schema_rel):
    out = Out()
    out("#pragma once")
    out(f"// Generated by net/kafka/gen/generate.py from {schema_rel}. Do not edit.")
    out()
    out("#include <cstddef>")
    out("#include <cstdint>")
    out("#include <optional>")
    out("#include <string>")
    out("#include <string_view>")
    out("#include <vector>")
    out()
    out('#include "engine/base/result.h"')
    out('#include "net/kafka/api_key.h"')
    out('#include "net/kafka/decode_error.h"')
    out('#include "net/kafka/primitives.h"')
    out('#include "net/kafka/reader.h"')
    out('#include "net/kafka/writer.h"')
    out()
    out("namespace ringlog::kafka {")
    out()
    for m in schema.messages:
        out(f"struct {m.name} {{")
        out.indent()
        if m.kind != "data":
            out(f"static constexpr ApiKey kApiKey = ApiKey::k{m.api_name};")
        out(f"static constexpr bool kIsRequest = {'true' if m.kind == 'request' else 'false'};")
        out(f'static constexpr std::string_view kName = "{m.name}";')
        out("// The versions this definition covers (api_versions.h says which we advertise).")
        out(f"static constexpr int16_t kLowestVersion = {m.versions.lo};")
        out(f"static constexpr int16_t kHighestVersion = {m.versions.hi};")
        out(f"static constexpr int16_t kFirstFlexibleVersion = {m.first_flexible};")
        out()
        for s in m.structs:
            out(f"struct {s.name} {{")
            out.indent()
            emit_struct_decl(out, s.fields, s.name, False, m)
            out.dedent()
            out("};")
            out()
        emit_struct_decl(out, m.fields, m.name, True, m)
        out.dedent()
        out("};")
        out()
    out("}  // namespace ringlog::kafka")
    return out.lines


def source_for(schema, schema_rel):
    out = Out()
    out(f"// Generated by net/kafka/gen/generate.py from {schema_rel}. Do not edit.")
    out(f'#include "net/kafka/messages/{schema.stem}.h"')
    out()
    out("#include <algorithm>")
    out("#include <utility>")
    out()
    out('#include "engine/base/assert.h"')
    out()
    out("namespace ringlog::kafka {")
    out()
    for m in schema.messages:
        for s in m.structs:
            emit_struct_codec(out, m, s.name, s.fields, f"{m.name}::{s.name}", False)
        emit_struct_codec(out, m, m.name, m.fields, m.name, True)
    out("}  // namespace ringlog::kafka")
    return out.lines


# ---------------------------------------------------------------------------------------------
# Cross-message files


def api_schemas_header(schemas):
    out = Out()
    out("#pragma once")
    out("// Generated by net/kafka/gen/generate.py. Do not edit.")
    out("// What each API's message definitions cover: the version range of its request and")
    out("// response definitions (the same range for both) and its first flexible version.")
    out()
    out("#include <array>")
    out("#include <cstdint>")
    out()
    out('#include "net/kafka/api_key.h"')
    out()
    out("namespace ringlog::kafka {")
    out()
    out("struct ApiSchema {")
    out("  ApiKey key;")
    out("  int16_t lowest_version;")
    out("  int16_t highest_version;")
    out("  int16_t first_flexible_version;  // 32767: never flexible")
    out("};")
    out()
    apis = api_list(schemas)
    out(f"inline constexpr std::array<ApiSchema, {len(apis)}> kApiSchemas = {{{{")
    for req, _ in apis:
        out(f"    {{ApiKey::k{req.api_name}, {req.versions.lo}, {req.versions.hi}, "
            f"{req.first_flexible}}},")
    out("}};")
    out()
    out("// The definition of `key`, or nullptr when there is none.")
    out("constexpr const ApiSchema* find_api_schema(ApiKey key) {")
    out("  for (const ApiSchema& schema : kApiSchemas) {")
    out("    if (schema.key == key) return &schema;")
    out("  }")
    out("  return nullptr;")
    out("}")
    out()
    out("}  // namespace ringlog::kafka")
    return out.lines


def api_list(schemas):
    apis = []
    for s in schemas:
        reqs = [m for m in s.messages if m.kind == "request"]
        resps = [m for m in s.messages if m.kind == "response"]
        if not reqs and not resps:
            continue
        if len(reqs) != 1 or len(resps) != 1:
            raise SchemaError(f"{s.stem}: an api has exactly one request and one response")
        req, resp = reqs[0], resps[0]
        if (req.versions.lo, req.versions.hi, req.first_flexible) != (
                resp.versions.lo, resp.versions.hi, resp.first_flexible):
            raise SchemaError(f"{s.stem}: request and response must cover the same versions")
        apis.append((req, resp))
    return sorted(apis, key=lambda p: p[0].api_key)


def all_messages_header(schemas):
    out = Out()
    apis = api_list(schemas)
    out("#pragma once")
    out("// Generated by net/kafka/gen/generate.py. Do not edit.")
    out("// Every message type, and decoding a body chosen by api key at run time.")
    out()
    out("#include <cstdint>")
    out("#include <variant>")
    out()
    out('#include "engine/base/result.h"')
    out('#include "net/kafka/api_key.h"')
    out('#include "net/kafka/decode_error.h"')
    out('#include "net/kafka/reader.h"')
    for s in schemas:
        out(f'#include "net/kafka/messages/{s.stem}.h"')
    out()
    out("namespace ringlog::kafka {")
    out()
    out("template <typename... T>")
    out("struct TypeList {};")
    out()
    all_names = [m.name for s in schemas for m in s.messages]
    out("// Every generated message, request, response and data type (for tests).")
    out("using AllMessageTypes = TypeList<")
    for i, n in enumerate(all_names):
        out(f"    {n}{',' if i + 1 < len(all_names) else '>;'}")
    out()
    for kind, idx in (("Request", 0), ("Response", 1)):
        out(f"using Any{kind} = std::variant<")
        for i, pair in enumerate(apis):
            out(f"    {pair[idx].name}{',' if i + 1 < len(apis) else '>;'}")
        out()
    out("// Decodes a body of the message `key` names at `version`: kUnknownApiKey for a key")
    out("// without definition, kUnsupportedVersion outside its definition's versions.")
    out("Result<AnyRequest, DecodeError> decode_request_body(ApiKey key, int16_t version,")
    out("                                                    Reader& reader);")
    out("Result<AnyResponse, DecodeError> decode_response_body(ApiKey key, int16_t version,")
    out("                                                      Reader& reader);")
    out()
    out("}  // namespace ringlog::kafka")
    return out.lines


def all_messages_source(schemas):
    out = Out()
    apis = api_list(schemas)
    out("// Generated by net/kafka/gen/generate.py. Do not edit.")
    out('#include "net/kafka/messages/all_messages.h"')
    out()
    out("namespace ringlog::kafka {")
    out()
    out("namespace {")
    out()
    out("template <typename Any, typename Message>")
    out("Result<Any, DecodeError> decode_as(int16_t version, Reader& reader) {")
    out("  auto decoded = Message::decode(reader, version);")
    out("  if (!decoded) return decoded.error();")
    out("  return Any(std::in_place_type<Message>, std::move(*decoded));")
    out("}")
    out()
    out("}  // namespace")
    out()
    for kind, idx in (("Request", 0), ("Response", 1)):
        lower = kind.lower()
        out(f"Result<Any{kind}, DecodeError> decode_{lower}_body(ApiKey key, int16_t version,")
        out(f"    Reader& reader) {{")
        out.indent()
        out("switch (key) {")
        for pair in apis:
            m = pair[idx]
            out(f"  case ApiKey::k{m.api_name}:")
            out(f"    return decode_as<Any{kind}, {m.name}>(version, reader);")
        out("  default:")
        out("    return DecodeError::kUnknownApiKey;")
        out("}")
        out.dedent()
        out("}")
        out()
    out("}  // namespace ringlog::kafka")
    return out.lines


# ---------------------------------------------------------------------------------------------
# Samples (tests)


def sample_value(f, scope):
    e = f.element
    if e == "bool":
        return "source.next_bool()"
    if e in ("int8", "int16", "int32", "int64", "uint16", "uint32"):
        return f"static_cast<{PRIMITIVES[e]}>(source.next_int())"
    if e == "float64":
        return "source.next_double()"
    if e == "uuid":
        return "source.next_uuid()"
    if e == "string":
        return "source.next_string()"
    if e == "bytes":
        return "source.next_bytes()"
    if e == "records":
        return "source.next_records()"
    raise SchemaError(f"{f.where}: no sample for {e}")


def samples_header(schemas):
    out = Out()
    out("#pragma once")
    out("// Generated by net/kafka/gen/generate.py. Do not edit.")
    out("// Sample values of every message for round-trip tests. fill_sample(m, version, mode, src)")
    out("// sets every field (kAllFields) or only those present in `version` (kPresentFields);")
    out("// both modes draw the same values from `src` in the same order, so encoding an")
    out("// all-fields sample at a version and decoding it gives the present-fields sample.")
    out()
    out("#include <array>")
    out("#include <cstddef>")
    out("#include <cstdint>")
    out("#include <string>")
    out("#include <vector>")
    out()
    out('#include "net/kafka/messages/all_messages.h"')
    out()
    out("namespace ringlog::kafka::samples {")
    out()
    out("enum class SampleFill : uint8_t { kAllFields, kPresentFields };")
    out()
    out("class SampleSource {")
    out(" public:")
    out("  int64_t next_int() { return ++counter_; }")
    out("  bool next_bool() { return (++counter_ & 1) != 0; }")
    out("  double next_double() { return static_cast<double>(++counter_) + 0.5; }")
    out('  std::string next_string() { return "s" + std::to_string(++counter_); }')
    out("  std::vector<std::byte> next_bytes() {")
    out("    ++counter_;")
    out("    return {std::byte{0xAB}, static_cast<std::byte>(counter_)};")
    out("  }")
    out("  Uuid next_uuid() {")
    out("    Uuid uuid;")
    out("    uuid.bytes[15] = static_cast<std::byte>(++counter_);")
    out("    return uuid;")
    out("  }")
    out("  // A view of stable bytes that differ between calls (not a valid batch: the codec does")
    out("  // not look inside).")
    out("  RecordsView next_records() {")
    out("    static const std::array<std::byte, 96> kBytes = [] {")
    out("      std::array<std::byte, 96> bytes{};")
    out("      for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::byte>(i * 7);")
    out("      return bytes;")
    out("    }();")
    out("    size_t start = static_cast<size_t>(++counter_ % 32);")
    out("    return RecordsView{std::span<const std::byte>(kBytes).subspan(start, 40)};")
    out("  }")
    out()
    out(" private:")
    out("  int64_t counter_ = 0;")
    out("};")
    out()
    # Declarations first: structs refer to each other in any order within a message.
    for s in schemas:
        for m in s.messages:
            for st in m.structs:
                out(f"inline void fill_sample({m.name}::{st.name}& out, int16_t version, "
                    "SampleFill fill, SampleSource& source);")
            out(f"inline void fill_sample({m.name}& out, int16_t version, SampleFill fill, "
                "SampleSource& source);")
    out()
    for s in schemas:
        for m in s.messages:
            for st in m.structs:
                emit_sample_fn(out, m, f"{m.name}::{st.name}", st.fields)
            emit_sample_fn(out, m, m.name, m.fields)
    out("}  // namespace ringlog::kafka::samples")
    return out.lines


def emit_sample_fn(out, m, qualified, fields):
    window = m.versions
    out(f"inline void fill_sample({qualified}& out, int16_t version, SampleFill fill, "
        "SampleSource& source) {")
    out.indent()
    out("(void)version;")
    out("(void)fill;")
    out("(void)source;")
    for f in fields:
        present = condition(f.versions, window)
        out("{")
        out.indent()
        if f.is_array:
            elem = element_cpp(f, m.name)
            out(f"std::vector<{elem}> value(2);")
            out("for (auto& item : value) {")
            if f.is_struct():
                out("  fill_sample(item, version, fill, source);")
            else:
                out(f"  item = {sample_value(f, m.name)};")
            out("}")
        elif f.is_struct():
            out(f"{element_cpp(f, m.name)} value;")
            out("fill_sample(value, version, fill, source);")
        else:
            out(f"auto value = {sample_value(f, m.name)};")
        out(f"if (fill == SampleFill::kAllFields || ({present})) out.{f.member} = std::move(value);")
        out.dedent()
        out("}")
    out.dedent()
    out("}")
    out()


# ---------------------------------------------------------------------------------------------


def write_if_changed(path, lines):
    text = "\n".join(lines).rstrip("\n") + "\n"
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", required=True, help="root of the generated include tree")
    parser.add_argument("schemas", nargs="+", help="net/kafka/schema/*.schema files")
    args = parser.parse_args()
    try:
        schemas = [parse_file(p) for p in args.schemas]
        keys = {}
        for s in schemas:
            if s.api_key is not None:
                if s.api_key in keys:
                    raise SchemaError(f"{s.stem}: api key {s.api_key} also in {keys[s.api_key]}")
                keys[s.api_key] = s.stem
        base = os.path.join(args.out_dir, "net", "kafka", "messages")
        for s in schemas:
            rel = f"net/kafka/schema/{s.stem}.schema"
            write_if_changed(os.path.join(base, f"{s.stem}.h"), header_for(s, rel))
            write_if_changed(os.path.join(base, f"{s.stem}.cc"), source_for(s, rel))
        write_if_changed(os.path.join(base, "api_schemas.h"), api_schemas_header(schemas))
        write_if_changed(os.path.join(base, "all_messages.h"), all_messages_header(schemas))
        write_if_changed(os.path.join(base, "all_messages.cc"), all_messages_source(schemas))
        write_if_changed(os.path.join(base, "samples.h"), samples_header(schemas))
    except SchemaError as e:
        print(f"generate.py: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
