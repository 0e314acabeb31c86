"""programgen's domain core: an athlete profile in, a validated periodized program out.

Pure: no gRPC, no database. The server maps protobuf to these types at its edge.
"""
