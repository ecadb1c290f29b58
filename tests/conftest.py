"""Settings shared by the whole suite: headless Qt, quiet TensorFlow, the default backend,
and the Hypothesis profile (derandomized unless ``HYPOTHESIS_PROFILE=fuzz``)."""

import os

from hypothesis import settings

from tests.profiles import PROFILE

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

settings.load_profile(PROFILE)
