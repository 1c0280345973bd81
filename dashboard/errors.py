"""Upstream failures as HTTP answers: JSON body, status, and Retry-After when known."""

import math

from fastapi.responses import JSONResponse

from dashboard.upstream import UpstreamFailure


def failure_response(failure: UpstreamFailure) -> JSONResponse:
    headers = {}
    if failure.retry_after > 0:
        headers["Retry-After"] = str(max(1, math.ceil(failure.retry_after)))
    return JSONResponse(failure.as_json(), status_code=failure.status, headers=headers)
