"""Hard limits on uploads; each is enforced with a message naming the limit and the value found.

They bound the work done before any GPU time: a ComfyUI workflow of a few hundred nodes is a
few hundred kilobytes, so these leave generous room for real graphs and none for abuse.
"""

from __future__ import annotations

# Raw upload size (any format). ComfyUI PNGs of 2048² with metadata stay well below this.
MAX_UPLOAD_BYTES = 40 * 1024 * 1024
# JSON text, whether uploaded directly or found inside an image's metadata.
MAX_JSON_BYTES = 20 * 1024 * 1024
# Nodes in one graph after subgraph/group-node expansion.
MAX_NODES = 2_000
# Links in one UI workflow.
MAX_LINKS = 20_000
# Characters in any single JSON string (prompts are the long ones).
MAX_STRING_LENGTH = 20_000
# Nesting depth of JSON containers; real workflows stay under ~12.
MAX_JSON_DEPTH = 64
# Subgraphs inside subgraphs.
MAX_SUBGRAPH_DEPTH = 16
# Image dimensions read from headers only; pixels are never decoded here.
MAX_IMAGE_PIXELS = 64 * 1024 * 1024
MAX_IMAGE_SIDE = 16_384
# Total bytes of decompressed text metadata taken from one image (zTXt/iTXt bomb guard).
MAX_METADATA_BYTES = 24 * 1024 * 1024
# Number of metadata chunks/segments inspected in one image.
MAX_METADATA_CHUNKS = 10_000
