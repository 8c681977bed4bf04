"""The citizens' touchscreen (Kivy). Of `content` it imports only the shared layer (`content.shared`)."""
