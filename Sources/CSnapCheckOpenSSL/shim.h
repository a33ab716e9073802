// The part of OpenSSL's libcrypto that snapcheck uses: the EVP digest interface (SHA-256).
#include <openssl/evp.h>
