"""Cursor pagination that treats bad paging input as bad input: a 400 with the field, never ignored, never a 404.

``page_size`` must be a whole number above 0; a cursor that does not decode is a 400 (DRF answers 404).
"""

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination


class StrictCursorPagination(CursorPagination):
    page_size_query_param = "page_size"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit() and int(raw) > 0):
            raise serializers.ValidationError({self.page_size_query_param: [_("Give a whole number above 0.")]})
        return super().get_page_size(request)

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise serializers.ValidationError({self.cursor_query_param: [str(self.invalid_cursor_message)]}) from None
