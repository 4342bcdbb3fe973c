"""Kerma's tables. One module per DICOM template family; importing this package registers all."""
