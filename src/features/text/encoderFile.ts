// The text encoder's ONNX file for each manifest dtype, in transformers.js's own naming: one table
// for the text worker (which loads it) and the engine (which lists it among the model files).
import type { TextDtype } from '../../protocol';

export const TEXT_ENCODER_FILES: Readonly<Record<TextDtype, string>> = Object.freeze({ fp32: 'onnx/model.onnx', q8: 'onnx/model_quantized.onnx' });

export const textEncoderFile = (dtype: TextDtype): string => TEXT_ENCODER_FILES[dtype];
