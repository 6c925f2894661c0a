"""The app's default model (issue 6): the paper's SEM-MBT fusion trained here from the pretrained
unimodal parts, on the 72 real IEMOCAP dev clips plus triples composed from the unimodal sets.

- ``features``: frozen-backbone feature caches (real clips, EmoDB audio, FER2013 faces, text I_t).
- ``compose``: label-matched triples, mismatched items, modality dropout.
- ``fusion_training``: the thin training loop on cached group outputs (and its equivalence to
  the exported graph).
- ``crossval``: stratified k-fold cross-validation on the real clips; ``ablation``: Tables 3 and 5.
- ``build``: the final model on all clips, exported to public/models/ with metrics.json.
"""
