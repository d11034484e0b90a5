"""ClassBot's languages: the message catalogs (``bot/locale``) and the translators made from them."""
