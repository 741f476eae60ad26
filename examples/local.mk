# examples: rules added by the work on this part.
