"""The citizens' touchscreen (Kivy). Imports `content.contract` only from the service side."""
