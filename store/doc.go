// Package store is the vocabulary of patrimap's datasets and the contract of the databases that keep them: what
// a dataset, a field, a feature and a query are (Dataset, Field, Feature, Query, the filter Expr), the errors
// every store returns (ErrNotFound, ErrBadQuery), the interfaces every store implements (Store, Snapshot,
// Import), and the logic every store shares so that they answer alike: column types inferred from the values
// seen (Schema), values as columns hold them (Coerce), queries checked against a dataset (NewPlan).
//
// The implementations live beside it: store/spatialite (the embedded default, one SpatiaLite file),
// store/memory (an in-memory fake for tests), and store/storetest checks that they behave the same;
// store/stores opens one from a --db value. Consumers define the narrower interfaces they use where they use
// them (server.Catalog, importers.Writer, tiles.FeatureSource).
//
// Package store imports no database driver, parses no source file and speaks no HTTP. Geometries are WGS84
// longitude/latitude, valid, in one model (orb): reprojection, repairs and the territory cut happen before a
// store sees a row (importers), and after it hands one out (server).
package store
