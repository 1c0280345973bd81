"""The kernel's checks of times and ids are ``columnar.columns``' regexes, value for value: a block
the kernel vouches for skips the regexes, so they must never disagree."""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.writer import columnar, shape_kernel

TIMES = ["2026-11-29T09:59:58Z", "2026-11-29T09:59:58.1Z", "2026-11-29T09:59:58.123456Z",
         "2026-11-29T09:59:58.1234567Z", "2026-11-29T09:59:58.Z", "2026-11-29T09:59:58", "2026-11-29 09:59:58Z",
         "2026-11-29T09:59:58+00:00", "2026-11-29T09:59:58z", "2026-11-29T09:59:5Z", "2026-1-29T09:59:58Z", "", "Z",
         "2026-13-45T99:99:99Z", "२०२६-11-29T09:59:58Z", "2026-11-29T09:59:58.12345ZZ",
         "2026-11-29T09:59:58.12a456Z", "02026-11-29T09:59:58Z"]
IDS = ["0b5d6f2e-6f1c-4b8e-9d3a-2c1e0f9a8b7c", "0B5D6F2E6F1C4B8E9D3A2C1E0F9A8B7C", "0b5d6f2e6f1c-4b8e9d3a-2c1e0f9a8b7c",
       "0b5d6f2e-6f1c-4b8e-9d3a-2c1e0f9a8b7", "0b5d6f2e-6f1c-4b8e-9d3a-2c1e0f9a8b7cd",
       "0b5d6f2e--6f1c-4b8e-9d3a-2c1e0f9a8b7c", "-0b5d6f2e-6f1c-4b8e-9d3a-2c1e0f9a8b7c",
       "0b5d6f2e-6f1c-4b8e-9d3a-2c1e0f9a8b7c-", "0g5d6f2e-6f1c-4b8e-9d3a-2c1e0f9a8b7c", "not-a-uuid", "",
       "0b5d6f2e-6f1c-4b8e-9d3a-2c1e0f9a8b7\u00e9", "@`GZ[{:/0b5d6f2e6f1c4b8e9d3a2c1e",
       "{0b5d6f2e-6f1c-4b8e-9d3a-2c1e0f9a8b7c}"]


def kernel_says(check, text: str) -> bool:
    data = np.frombuffer(text.encode(), np.uint8)
    return bool(check(data, 0, data.size))


def regex_says(pattern: str, text: str) -> bool:
    return pc.match_substring_regex(pa.array([text]), pattern)[0].as_py()


def test_times_and_ids_as_the_regexes_judge_them():
    for text in TIMES:
        assert kernel_says(shape_kernel._is_time, text) == regex_says(columnar._RFC3339_UTC, text), text
    for text in IDS:
        assert kernel_says(shape_kernel._is_uuid, text) == regex_says(columnar._UUID, text), text


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789-:.TZzt+ aAfFgG\u00e9", max_size=40))
def test_any_text_is_judged_as_the_regexes_judge_it(text):
    assert kernel_says(shape_kernel._is_time, text) == regex_says(columnar._RFC3339_UTC, text)
    assert kernel_says(shape_kernel._is_uuid, text) == regex_says(columnar._UUID, text)


def test_the_kernel_reports_a_block_whose_times_it_did_not_vouch_for():
    from tests.tracker.writer.test_decoders_agree import event
    from tracker.records import encode

    good = [encode(event(i)) for i in range(5)]
    bad = good[:2] + [good[2].replace(b'Z","received_at"', b'+00:00","received_at"')] + good[3:]
    for values, vouched in ((good, True), (bad, False)):
        records = pa.array(values, pa.binary())
        _, offsets, data = records.buffers()
        rows, _, _, checked = shape_kernel.cut(np.frombuffer(data, np.uint8), np.frombuffer(offsets, np.int32))
        assert rows.tolist() == [0, 1, 2, 3, 4] and checked is vouched
