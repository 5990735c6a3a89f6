"""Message text the way Telegram treats it: HTML parse_mode, auto-detected entities, UTF-16 offsets.

The HTML parser follows tdlib's `parse_html` (same accepted tags, same error wording, byte offsets
in the UTF-8 input) so a bot whose markup the sandbox accepts is accepted by Telegram too.
All offsets and lengths are in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

Entity = dict[str, Any]
UserLookup = Callable[[int], dict[str, Any] | None]

_SUPPORTED_TAGS = {
    "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
    "tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote",
}  # fmt: skip
_SIMPLE_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "u": "underline", "ins": "underline", "tg-spoiler": "spoiler", "span": "spoiler",
}  # fmt: skip
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ENTITY = re.compile(r"&(?:#([0-9]{1,10})|#[xX]([0-9a-fA-F]{1,8})|([a-zA-Z]{1,10}));")
_SPACES = " \t\r\n\0\v"
# Entities that hide their text from auto-detection (as in tdlib).
_OPAQUE = {"code", "pre", "text_link", "url", "email", "text_mention", "custom_emoji"}
ENTITY_TYPES = {
    "mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number", "bold",
    "italic", "underline", "strikethrough", "spoiler", "blockquote", "expandable_blockquote",
    "code", "pre", "text_link", "text_mention", "custom_emoji", "date_time",
}  # fmt: skip


class EntityParseError(ValueError):
    """The text cannot be parsed; the message is Telegram's wording after "can't parse entities: "."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def utf16_slice(text: str, offset: int, length: int) -> str:
    """The substring covered by an entity (offset/length in UTF-16 code units)."""
    raw = text.encode("utf-16-le")[offset * 2 : (offset + length) * 2]
    return raw.decode("utf-16-le", errors="replace")


def normalize_url(url: str) -> str | None:
    """Telegram's check_link, approximately: adds http:// and a trailing '/', rejects junk."""
    url = url.strip()
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", url):
        url = "http://" + url
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("tg", "ton", "tonsite"):
        return url
    if scheme not in ("http", "https") or not parts.hostname or " " in url:
        return None
    if "." not in parts.hostname and parts.hostname != "localhost":
        return None
    if not parts.path:
        url = url.replace(parts.netloc, parts.netloc + "/", 1) if not parts.query else url
    return url


def _decode_entity(text: str, i: int) -> tuple[str, int] | None:
    """The character an HTML entity at `i` stands for and where it ends; None means a literal '&'."""
    m = _HTML_ENTITY.match(text, i)
    if not m:
        return None
    decimal, hexa, name = m.groups()
    if name is not None:
        char = _NAMED_ENTITIES.get(name)
        return (char, m.end()) if char else None
    code = int(decimal) if decimal is not None else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), m.end()


class _HtmlParser:
    """One pass over the input, tracking open tags; mirrors tdlib's do_parse_html."""

    def __init__(self, text: str, lookup_user: UserLookup | None) -> None:
        self.text = text
        self.lookup_user = lookup_user
        self.out: list[str] = []
        self.utf16 = 0
        self.entities: list[Entity] = []
        self.open: list[dict[str, Any]] = []  # tag, argument, offset, out_index

    def at(self, i: int) -> str:
        return self.text[i] if i < len(self.text) else "\0"

    def byte_offset(self, i: int) -> int:
        return len(self.text[:i].encode("utf-8"))

    def fail(self, message: str) -> EntityParseError:
        return EntityParseError(message)

    def emit(self, chars: str) -> None:
        self.out.append(chars)
        self.utf16 += utf16_len(chars)

    def parse(self) -> tuple[str, list[Entity]]:
        i = 0
        while i < len(self.text):
            c = self.text[i]
            if c == "&" and (decoded := _decode_entity(self.text, i)):
                self.emit(decoded[0])
                i = decoded[1]
            elif c != "<":
                self.emit(c)
                i += 1
            elif self.at(i + 1) == "/":
                i = self.end_tag(i)
            else:
                i = self.start_tag(i)
        if self.open:
            tag = self.open[-1]["tag"]
            raise self.fail(f'Can\'t find end tag corresponding to start tag "{tag}"')
        return "".join(self.out), self.entities

    def start_tag(self, begin: int) -> int:
        i = begin + 1
        while self.at(i) not in _SPACES and self.at(i) != ">":
            i += 1
        if i >= len(self.text):
            raise self.fail(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        tag = self.text[begin + 1 : i].lower()
        if tag not in _SUPPORTED_TAGS:
            raise self.fail(
                f'Unsupported start tag "{tag}" at byte offset {self.byte_offset(begin)}'
            )
        argument, expandable, i = self.attributes(tag, begin, i)
        if tag == "span" and argument != "spoiler":
            raise self.fail(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}'
            )
        self.open.append(
            {"tag": tag, "argument": argument, "expandable": expandable,
             "offset": self.utf16, "out_index": len(self.out)}
        )  # fmt: skip
        return i + 1

    def attributes(self, tag: str, begin: int, i: int) -> tuple[str, bool, int]:
        argument, expandable = "", False
        where = f'the tag "{tag}" at byte offset {self.byte_offset(begin)}'
        while self.at(i) != ">":
            while i < len(self.text) and self.at(i) in _SPACES:
                i += 1
            if self.at(i) == ">":
                break
            name_start = i
            while self.at(i) not in _SPACES and self.at(i) not in "=>":
                i += 1
            name = self.text[name_start:i].lower()
            if not name:
                raise self.fail(f"Empty attribute name in {where}")
            while i < len(self.text) and self.at(i) in _SPACES:
                i += 1
            if self.at(i) != "=":
                if tag == "blockquote" and name == "expandable":
                    expandable = True
                    continue
                raise self.fail(f"Expected equal sign in declaration of an attribute of {where}")
            i += 1
            while i < len(self.text) and self.at(i) in _SPACES:
                i += 1
            if i >= len(self.text):
                raise self.fail(f"Unclosed start tag {where}")
            value, i = self.attribute_value(i)
            if i >= len(self.text):
                raise self.fail(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            if tag == "a" and name == "href":
                argument = value
            elif tag == "code" and name == "class" and value.startswith("language-"):
                argument = value[len("language-") :]
            elif tag == "span" and name == "class" and value.startswith("tg-"):
                argument = value[len("tg-") :]
            elif tag == "tg-emoji" and name == "emoji-id":
                argument = value
        return argument, expandable, i

    def attribute_value(self, i: int) -> tuple[str, int]:
        quote = self.at(i)
        if quote not in "'\"":
            start = i
            while self.at(i).isalnum() or self.at(i) in ".-":
                i += 1
            if self.at(i) not in _SPACES and self.at(i) != ">":
                raise self.fail(
                    f"Unexpected end of name token at byte offset {self.byte_offset(start)}"
                )
            return self.text[start:i].lower(), i
        i += 1
        value: list[str] = []
        while i < len(self.text) and self.text[i] != quote:
            if self.text[i] == "&" and (decoded := _decode_entity(self.text, i)):
                value.append(decoded[0])
                i = decoded[1]
            else:
                value.append(self.text[i])
                i += 1
        return "".join(value), i + 1 if i < len(self.text) else i

    def end_tag(self, begin: int) -> int:
        if not self.open:
            raise self.fail(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        i = begin + 2
        while self.at(i) not in _SPACES and self.at(i) != ">":
            i += 1
        name = self.text[begin + 2 : i].lower()
        while i < len(self.text) and self.at(i) in _SPACES:
            i += 1
        if self.at(i) != ">":
            raise self.fail(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        opened = self.open.pop()
        if name and name != opened["tag"]:
            raise self.fail(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                f'expected "</{opened["tag"]}>", found "</{name}>"'
            )
        length = self.utf16 - opened["offset"]
        if length > 0:
            self.close(opened, length)
        return i + 1

    def close(self, opened: dict[str, Any], length: int) -> None:
        tag, argument, offset = opened["tag"], opened["argument"], opened["offset"]
        entity: Entity = {"offset": offset, "length": length}
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and last["offset"] == offset and last["length"] == length
        if tag in _SIMPLE_TYPES:
            entity["type"] = _SIMPLE_TYPES[tag]
        elif tag == "blockquote":
            entity["type"] = "expandable_blockquote" if opened["expandable"] else "blockquote"
        elif tag == "tg-emoji":
            if not argument.isdigit():
                raise self.fail("Invalid custom emoji identifier specified")
            entity.update(type="custom_emoji", custom_emoji_id=argument)
        elif tag == "code" and same_span and last["type"] == "pre":
            if argument:
                last["language"] = argument
            return
        elif tag == "pre" and same_span and last["type"] == "code":
            last["type"] = "pre"  # <pre><code class="language-x">: one pre entity
            return
        elif tag == "code":
            entity["type"] = "code"
            if argument:
                entity["language"] = argument  # promoted to pre's language by the enclosing <pre>
        elif tag == "pre":
            entity["type"] = "pre"
        else:  # a
            if not self.link(entity, argument or "".join(self.out[opened["out_index"] :])):
                return
        self.entities.append(entity)

    def link(self, entity: Entity, url: str) -> bool:
        m = re.fullmatch(r"tg://user\?id=(\d+)", url.strip())
        if m:
            user = self.lookup_user(int(m.group(1))) if self.lookup_user else None
            if user is None:
                return False
            entity.update(type="text_mention", user=user)
            return True
        normalized = normalize_url(url)
        if normalized is None:
            return False
        entity.update(type="text_link", url=normalized)
        return True


def parse_html(text: str, lookup_user: UserLookup | None = None) -> tuple[str, list[Entity]]:
    """HTML parse_mode → (plain text, entities); raises EntityParseError with Telegram's wording."""
    plain, entities = _HtmlParser(text, lookup_user).parse()
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)  # a lone <code class=...> keeps no language
    return plain, entities


_COMMAND = re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{4,32}(?![\w@])")
_HASHTAG = re.compile(r"(?<![\w#])#[\w·]{1,256}")
_CASHTAG = re.compile(r"(?<![\w$])\$[A-Z]{3,8}(?![\w$])")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?!\w)")
_URL = re.compile(
    r"(?<![\w@/.])(?:(?:https?|tg)://[^\s<>\"]+|www\.[^\s<>\"]+"
    r"|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:com|org|net|cn|io|me|dev|app|ru|info|xyz|edu|gov)"
    r"(?:/[^\s<>\"]*)?(?![\w]))"
)
_DETECTORS = (  # earlier wins on overlap
    ("email", _EMAIL), ("url", _URL), ("bot_command", _COMMAND),
    ("mention", _MENTION), ("hashtag", _HASHTAG), ("cashtag", _CASHTAG),
)  # fmt: skip


def _trim_url(match: str) -> str:
    return match.rstrip(".,;:!?'\")]}，。；：！？）】")


def detect_entities(text: str, existing: list[Entity] = ()) -> list[Entity]:
    """Entities Telegram finds by itself: commands, mentions, hashtags, cashtags, urls, emails.

    Text inside code/pre/links is skipped, and detected entities never overlap each other.
    """
    taken = [(e["offset"], e["offset"] + e["length"]) for e in existing if e["type"] in _OPAQUE]
    found: list[Entity] = []
    for kind, pattern in _DETECTORS:
        for m in pattern.finditer(text):
            value = m.group()
            if kind == "url":
                value = _trim_url(value)
            if kind == "hashtag" and value[1:].isdigit():
                continue
            start = utf16_len(text[: m.start()])
            end = start + utf16_len(value)
            if any(start < b and a < end for a, b in taken):
                continue
            taken.append((start, end))
            found.append({"type": kind, "offset": start, "length": end - start})
    return found


def strip_text(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Drop leading/trailing whitespace like Telegram does, clipping entities to what is left."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, size)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def sort_entities(entities: list[Entity]) -> list[Entity]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def check_entities(text: str, raw: Any) -> list[Entity]:
    """Validate an explicit `entities` parameter against the text."""
    if not isinstance(raw, list):
        raise EntityParseError("entities must be an Array")
    size = utf16_len(text)
    result = []
    for item in raw:
        if not isinstance(item, dict) or item.get("type") not in ENTITY_TYPES:
            raise EntityParseError("Unsupported entity type")
        offset, length = item.get("offset"), item.get("length")
        if not isinstance(offset, int) or not isinstance(length, int) or offset < 0 or length < 0:
            raise EntityParseError("Wrong entity offset or length")
        length = min(length, size - offset)
        if length > 0:
            result.append({**item, "offset": offset, "length": length})
    return result


def format_text(
    text: str,
    parse_mode: str | None,
    entities: Any = None,
    lookup_user: UserLookup | None = None,
) -> tuple[str, list[Entity]]:
    """Everything Telegram does to an outgoing text or caption: parse, strip, auto-detect, sort.

    `parse_mode` must already be normalized to "html" or None (see botapi).
    """
    if parse_mode == "html" and text:
        text, found = parse_html(text, lookup_user)
    elif entities is not None:
        found = check_entities(text, entities)
    else:
        found = []
    text, found = strip_text(text, found)
    return text, sort_entities(found + detect_entities(text, found))
