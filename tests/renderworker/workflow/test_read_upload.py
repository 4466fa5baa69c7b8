"""read_upload: sniffing by content, every container ComfyUI and A1111 write, hostile files."""

from __future__ import annotations

import json

import pytest
from upload_samples import (
    A1111,
    API,
    UI,
    comfy_webp_exif,
    jpeg_with_exif,
    png_with_text,
    raw_png,
    user_comment_exif,
    webp_with_exif,
    ztxt,
)

from renderworker.workflow import MAX_IMAGE_SIDE, MAX_UPLOAD_BYTES, WorkflowError, read_upload
from renderworker.workflow.limits import MAX_JSON_DEPTH, MAX_METADATA_BYTES, MAX_STRING_LENGTH


def error_codes(data: bytes, filename: str = "") -> list[str]:
    with pytest.raises(WorkflowError) as caught:
        read_upload(data, filename=filename)
    return caught.value.codes


def test_ui_json_is_read_as_ui() -> None:
    source = read_upload(json.dumps(UI).encode(), filename="flow.json")
    assert (source.ui, source.api, source.a1111_text, source.image_format) == (UI, None, None, None)


def test_api_json_with_bom_and_whitespace_is_read_as_api() -> None:
    source = read_upload(b"\xef\xbb\xbf \n" + json.dumps(API).encode(), filename="api.json")
    assert source.api == API and source.ui is None


def test_queue_payload_json_yields_both_graphs() -> None:
    payload = {"prompt": API, "extra_data": {"extra_pnginfo": {"workflow": UI}}}
    source = read_upload(json.dumps(payload).encode())
    assert (source.api, source.ui) == (API, UI)


def test_comfy_png_yields_prompt_workflow_and_size() -> None:
    source = read_upload(
        png_with_text({"prompt": json.dumps(API), "workflow": json.dumps(UI)}, size=(40, 30)),
        filename="out.png",
    )
    assert (source.api, source.ui, source.image_format, source.image_size) == (
        API,
        UI,
        "PNG",
        (40, 30),
    )


def test_compressed_itxt_chunks_are_read() -> None:
    source = read_upload(
        png_with_text({"prompt": json.dumps(API), "workflow": json.dumps(UI)}, compressed=True)
    )
    assert (source.api, source.ui) == (API, UI)


def test_ztxt_chunk_is_read() -> None:
    source = read_upload(raw_png(4, 4, ztxt("prompt", json.dumps(API).encode())))
    assert source.api == API


def test_png_with_only_workflow_chunk_or_null_prompt_is_accepted() -> None:
    source = read_upload(png_with_text({"prompt": "null", "workflow": json.dumps(UI)}))
    assert (source.api, source.ui) == (None, UI)


def test_comfy_webp_exif_yields_both_graphs() -> None:
    source = read_upload(webp_with_exif(comfy_webp_exif(), size=(20, 10)), filename="x.webp")
    assert (source.api, source.ui, source.image_format, source.image_size) == (
        API,
        UI,
        "WEBP",
        (20, 10),
    )


def test_a1111_png_parameters_text() -> None:
    source = read_upload(png_with_text({"parameters": A1111}))
    assert (source.a1111_text, source.api, source.ui) == (A1111, None, None)


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        (b"ASCII\x00\x00\x00" + A1111.encode(), A1111),
        (b"UNICODE\x00" + A1111.encode("utf-16-be"), A1111),
        (b"UNICODE\x00" + A1111.encode("utf-16-le"), A1111),
        (b"UNICODE\x00" + "café ✓\nSteps: 5".encode("utf-16-be"), "café ✓\nSteps: 5"),
        (b"\x00" * 8 + A1111.encode(), A1111),
    ],
    ids=["ascii", "unicode-be", "unicode-le", "unicode-non-ascii", "undefined"],
)
def test_a1111_user_comment_in_jpeg_and_webp(comment: bytes, expected: str) -> None:
    exif = user_comment_exif(comment)
    assert read_upload(jpeg_with_exif(exif), filename="a.jpg").a1111_text == expected
    assert read_upload(webp_with_exif(exif), filename="a.webp").a1111_text == expected


def test_extension_mismatch_names_both_kinds() -> None:
    with pytest.raises(WorkflowError) as caught:
        read_upload(png_with_text({"prompt": json.dumps(API)}), filename="workflow.json")
    assert caught.value.codes == ["extension_mismatch"]
    assert ".json" in str(caught.value) and "PNG data" in str(caught.value)


def test_json_named_png_is_a_mismatch() -> None:
    assert error_codes(json.dumps(API).encode(), "image.PNG") == ["extension_mismatch"]


def test_unknown_extension_is_judged_by_content() -> None:
    assert read_upload(json.dumps(API).encode(), filename="graph.txt").api == API


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"GIF89a" + b"\x00" * 20, "unsupported_file_type"),
        (b"hello there, not a workflow", "unrecognized_format"),
        (b"{not json", "invalid_json"),
        (b'{"a": NaN}', "non_finite_number"),
        (b"[1, 2]", "not_a_workflow"),
        (b'{"nodes": 3}', "not_a_workflow"),
        (b"{}", "empty_workflow"),
        (b"\xff\xfe{}", "unrecognized_format"),
        (b'{"x": "\xff"}', "not_utf8"),
        (b'{"a": 1' + b"1" * 5000 + b"}", "invalid_json"),
    ],
    ids=[
        "empty",
        "gif",
        "text",
        "broken-json",
        "nan",
        "list",
        "nodes-not-list",
        "empty-object",
        "utf16",
        "bad-utf8",
        "huge-int",
    ],
)
def test_bad_files_get_specific_codes(data: bytes, code: str) -> None:
    assert error_codes(data) == [code]


def test_deeply_nested_json_is_refused() -> None:
    data = b'{"a":' * (MAX_JSON_DEPTH + 5) + b"1" + b"}" * (MAX_JSON_DEPTH + 5)
    assert error_codes(data) == ["json_too_deep"]


def test_absurdly_deep_json_does_not_blow_the_stack() -> None:
    assert error_codes(b"[" * 200_000 + b"]" * 200_000) == ["json_too_deep"]


def test_overlong_string_is_refused() -> None:
    data = json.dumps(
        {"1": {"class_type": "CLIPTextEncode", "inputs": {"text": "x" * (MAX_STRING_LENGTH + 1)}}}
    ).encode()
    assert error_codes(data) == ["string_too_long"]


def test_oversized_upload_is_refused_before_parsing() -> None:
    assert error_codes(b"{" + b" " * MAX_UPLOAD_BYTES) == ["file_too_large"]


def test_png_bomb_header_is_refused_without_decoding() -> None:
    assert error_codes(raw_png(100_000, 100_000)) == ["image_too_large"]
    assert error_codes(raw_png(MAX_IMAGE_SIDE + 1, 1)) == ["image_too_large"]


def test_ztxt_decompression_bomb_is_refused() -> None:
    bomb = ztxt("prompt", b" " * (MAX_METADATA_BYTES + 10))
    assert error_codes(raw_png(4, 4, bomb)) == ["decompression_bomb"]


def test_png_without_metadata_is_a_specific_error() -> None:
    codes = error_codes(png_with_text({}), "plain.png")
    assert codes == ["no_metadata"]


def test_png_with_unrelated_text_only_is_no_metadata() -> None:
    assert error_codes(png_with_text({"Software": "GIMP"})) == ["no_metadata"]


def test_webp_and_jpeg_without_metadata_are_specific_errors() -> None:
    assert error_codes(webp_with_exif(None)) == ["no_metadata"]
    assert error_codes(jpeg_with_exif(None)) == ["no_metadata"]


def test_corrupt_prompt_chunk_names_the_chunk() -> None:
    with pytest.raises(WorkflowError) as caught:
        read_upload(png_with_text({"prompt": "{broken", "workflow": json.dumps(UI)}))
    assert caught.value.codes == ["invalid_json"]
    assert "PNG 'prompt' metadata" in caught.value.problems[0].message


def test_prompt_chunk_holding_a_ui_workflow_is_refused() -> None:
    assert error_codes(png_with_text({"prompt": json.dumps(UI)})) == ["not_a_workflow"]


def test_png_not_starting_with_ihdr_is_corrupt() -> None:
    data = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x00IEND\xaeB`\x82"
    assert error_codes(data) == ["corrupt_image"]


def test_truncated_png_keeps_metadata_read_before_the_cut() -> None:
    data = png_with_text({"prompt": json.dumps(API)})
    cut = data.index(b"IDAT") + 4
    assert read_upload(data[:cut]).api == API


def test_riff_that_is_not_webp_is_unrecognised() -> None:
    assert error_codes(b"RIFF\x10\x00\x00\x00WAVEfmt ") == ["unrecognized_format"]


def test_webp_without_size_chunk_is_corrupt() -> None:
    assert error_codes(b"RIFF\x0c\x00\x00\x00WEBPJUNK\x00\x00\x00\x00") == ["corrupt_image"]


def test_non_bytes_upload_is_refused() -> None:
    with pytest.raises(WorkflowError) as caught:
        read_upload("text")  # type: ignore[arg-type]
    assert caught.value.codes == ["bad_upload"]
