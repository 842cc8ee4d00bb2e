"""Query parameters, declared once: the OpenAPI document shows each with its bounds, and the
same declaration reads what a client sent, answering 400 (naming the parameter) to anything
outside them — a word for a number, "²" or "١" (digits to Python, not to us), a number past
the bounds or past what a database column holds, an empty or repeated value, a NUL byte
(PostgreSQL refuses them in text), a date the search index cannot order (it keeps seconds
since 1970 in 32 bits: 2106), or text longer than any slug."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

# Times a client may send (times to filter by, and publication and expiry times): the search
# index orders articles by seconds since 1970 in 32 bits, so nothing past 2106 can be ordered.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
TIME_BOUNDS = "from 1970 to the end of 2099"
OUT_OF_RANGE = {"overflow": f"A time {TIME_BOUNDS}."}  # DRF's words for a year 1 or 9999 it cannot convert
WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")  # ASCII digits that fit a 64-bit column


def check_time(moment):
    """`moment`, or a ValidationError for the field that holds it when the newsroom cannot keep it."""
    if not EARLIEST <= moment < LATEST:
        raise ValidationError(f"A time {TIME_BOUNDS}.")
    return moment


@dataclass(frozen=True)
class QueryParameter:
    name: str
    schema: dict
    description: str
    required: bool = False

    def openapi(self):
        return OpenApiParameter(self.name, self.schema, OpenApiParameter.QUERY, self.required, self.description)

    def openapi_dict(self):
        """As a paginator's get_schema_operation_parameters() gives it."""
        return {
            "name": self.name,
            "required": self.required,
            "in": "query",
            "description": self.description,
            "schema": self.schema,
        }

    def read(self, query):
        """The value of this parameter in `query` (a QueryDict), checked; None when absent."""
        values = query.getlist(self.name)
        if not values:
            if self.required:
                self.refuse("This parameter is required.")
            return None
        if len(values) > 1:
            self.refuse("Give this parameter once.")
        raw = values[0]
        if "\x00" in raw:
            self.refuse("A NUL character is not allowed.")
        kind = self.schema.get("format") or self.schema["type"]
        if kind == "integer":
            return self.whole_number(raw)
        if kind == "date-time":
            return self.time(raw)
        if not self.schema.get("minLength", 0) <= len(raw) <= self.schema.get("maxLength", len(raw)):
            self.refuse(f"From {self.schema.get('minLength', 0)} to {self.schema['maxLength']} characters.")
        if "enum" in self.schema and raw not in self.schema["enum"]:
            self.refuse(f"One of: {', '.join(self.schema['enum'])}.")
        return raw

    def whole_number(self, raw):
        low, high = self.schema["minimum"], self.schema["maximum"]
        if not WHOLE_NUMBER.fullmatch(raw) or not low <= int(raw) <= high:
            self.refuse(f"A whole number from {low} to {high}.")
        return int(raw)

    def time(self, raw):
        try:
            return check_time(serializers.DateTimeField(error_messages=OUT_OF_RANGE).run_validation(raw))
        except ValidationError as error:
            raise ValidationError({self.name: error.detail}) from None

    def refuse(self, message):
        raise ValidationError({self.name: [message]})


def number(name, low, high, description):
    return QueryParameter(name, {"type": "integer", "minimum": low, "maximum": high}, description)


def text(name, description, max_length=200, required=False):
    return QueryParameter(name, {"type": "string", "minLength": 1, "maxLength": max_length}, description, required)


def moment(name, description):
    return QueryParameter(name, {"type": "string", "format": "date-time"}, f"{description} ({TIME_BOUNDS}).")
