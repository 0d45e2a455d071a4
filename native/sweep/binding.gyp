{
  "targets": [
    {
      "target_name": "sweep",
      "sources": ["sweep.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-std=gnu11"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
