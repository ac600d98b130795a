"""The route maps: content files, their validation and the pages built from them."""
