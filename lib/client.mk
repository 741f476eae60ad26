# lib/: libkrpcmux, the client library (rules added by the client API work).
