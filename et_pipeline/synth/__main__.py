import sys

from et_pipeline.cli_synth import main

sys.exit(main())
