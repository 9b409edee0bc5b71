/// Synthetic DICOM studies for tests, benchmarks and the README's sample study.
public enum DICOMSyntheticModule {}
