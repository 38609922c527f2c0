// Where gi-docgen links the types of other namespaces to: the references
// of those made by gi-docgen. GStreamer's own reference has another layout,
// so its types are named without a link.
baseURLs = [
  ['GLib', 'https://docs.gtk.org/glib/'],
  ['GObject', 'https://docs.gtk.org/gobject/'],
  ['Gio', 'https://docs.gtk.org/gio/'],
  ['Json', 'https://gnome.pages.gitlab.gnome.org/json-glib/'],
]
