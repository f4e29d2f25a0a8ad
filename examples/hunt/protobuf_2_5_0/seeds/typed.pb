
type.googleapis.com/a.b.C