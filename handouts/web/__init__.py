"""``handouts serve``: a local web page and JSON API over the same renderer."""
