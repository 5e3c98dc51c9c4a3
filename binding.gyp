{
  "targets": [
    {
      "target_name": "weir_crc32c",
      "sources": ["native/crc32c.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-O2"]
    }
  ]
}
