"""Cursor pagination whose ``page_size`` must be a whole number above 0 (a 400 otherwise, not ignored)."""

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.pagination import CursorPagination


class StrictCursorPagination(CursorPagination):
    page_size_query_param = "page_size"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit() and int(raw) > 0):
            raise serializers.ValidationError({self.page_size_query_param: [_("Give a whole number above 0.")]})
        return super().get_page_size(request)
